import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { go } from '../../src/index.js';
import { AddrError, ErrClosed, OpError, UnknownNetworkError, copy, dial, listen, netCodes, type Listener } from '../../src/net/index.js';
import { drain } from './_helpers.js';

const opts = { timeout: 10_000 };

/** Serves `ln` with an echo goroutine per connection until it is closed. */
function echo(ln: Listener): void {
  go(async () => {
    for await (const c of ln) {
      go(async () => {
        try {
          await copy(c, c);
        } finally {
          c.close();
        }
      });
    }
  });
}

/** Dials, sends `msg`, half-closes, and returns what came back. */
async function roundTrip(network: string, address: string, msg: string): Promise<string> {
  const c = await dial(network, address);
  await c.write(Buffer.from(msg));
  c.closeWrite();
  const got = await drain(c);
  c.close();
  return got.toString();
}

t.test('listen("tcp", "127.0.0.1:0") listens on a free port shown by addr', opts, async (t) => {
  const ln = await listen('tcp', '127.0.0.1:0');
  t.match(String(ln.addr), /^127\.0\.0\.1:\d+$/);
  t.not(String(ln.addr), '127.0.0.1:0');
  t.equal(ln.addr.network(), 'tcp');
  echo(ln);
  t.equal(await roundTrip('tcp', String(ln.addr), 'hi'), 'hi');
  ln.close();
});

t.test('listen("tcp", ":0") listens on every interface', opts, async (t) => {
  const ln = await listen('tcp', ':0');
  echo(ln);
  const port = String(ln.addr).split(':').pop();
  t.equal(await roundTrip('tcp', `127.0.0.1:${port}`, 'any'), 'any');
  t.equal(await roundTrip('tcp4', `127.0.0.1:${port}`, 'tcp4'), 'tcp4');
  ln.close();
});

t.test('listen("tcp6", "[::1]:0") serves IPv6 loopback when the machine has it', opts, async (t) => {
  // Probe with plain node:net first, so that a machine without ::1 is reported, not hidden.
  const probe = createServer();
  const has6 = await new Promise<boolean>((resolve) => {
    probe.once('error', () => resolve(false));
    probe.listen(0, '::1', () => probe.close(() => resolve(true)));
  });
  if (!has6) {
    t.comment('::1 is NOT available on this machine: checking that listen reports it instead');
    const err = (await listen('tcp6', '[::1]:0').catch((e: unknown) => e)) as OpError;
    t.type(err, OpError, 'listen on ::1 fails with an OpError, like node:net');
    return;
  }
  const ln = await listen('tcp6', '[::1]:0');
  t.match(String(ln.addr), /^\[::1\]:\d+$/, 'Go-style bracketed address');
  echo(ln);
  t.equal(await roundTrip('tcp6', String(ln.addr), 'six'), 'six');
  t.equal(await roundTrip('tcp', String(ln.addr), 'dual'), 'dual');
  ln.close();
});

t.test('listen("unix", path) serves a Unix socket and removes the file on close', opts, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'strand-net-'));
  const path = join(dir, 'echo.sock');
  const ln = await listen('unix', path);
  t.equal(String(ln.addr), path);
  t.equal(ln.addr.network(), 'unix');
  echo(ln);
  t.equal(await roundTrip('unix', path, 'over unix'), 'over unix');
  const c = await dial('unix', path);
  t.equal(String(c.remoteAddr), path, 'the dialer sees the path as the remote address');
  c.close();
  ln.close();
  await new Promise((r) => setImmediate(r));
  t.notOk(existsSync(path), 'the socket file is gone');
  rmSync(dir, { recursive: true, force: true });
});

t.test('listen("unix", "@name") uses a Linux abstract socket', opts, async (t) => {
  const name = `@strand-test-${process.pid}-${Date.now()}`;
  const ln = await listen('unix', name);
  t.equal(String(ln.addr), name);
  echo(ln);
  t.equal(await roundTrip('unix', name, 'abstract'), 'abstract');
  ln.close();
});

t.test('Listener.accept() on a closed listener fails with ErrClosed', opts, async (t) => {
  const ln = await listen('tcp', '127.0.0.1:0');
  ln.close();
  ln.close(); // twice is fine
  const err = (await ln.accept().catch((e: unknown) => e)) as OpError;
  t.type(err, OpError);
  t.equal(err.cause, ErrClosed);
  t.equal(err.code, netCodes.CLOSED);
  t.match(err.message, /^net: accept tcp 127\.0\.0\.1:\d+: use of closed network connection$/);
});

t.test('Listener[Symbol.asyncDispose]: `await using` stops listening at scope exit: a parked accept fails closed, a later dial is refused', opts, async (t) => {
  let addr = '';
  let parked: Promise<unknown> = Promise.resolve();
  {
    await using ln = await listen('tcp', '127.0.0.1:0');
    addr = String(ln.addr);
    parked = ln.accept().catch((e: unknown) => e);
  }
  t.equal(((await parked) as OpError).cause, ErrClosed, 'the parked accept got ErrClosed');
  const err = (await dial('tcp', addr).catch((e: unknown) => e)) as OpError;
  t.type(err, OpError);
  t.equal(err.errno, 'ECONNREFUSED', 'nobody listens any more');
});

t.test('Listener.close() wakes a parked accept and ends for-await', opts, async (t) => {
  const ln = await listen('tcp', '127.0.0.1:0');
  const parked = ln.accept().catch((e: unknown) => e);
  let iterations = 0;
  const loop = (async () => {
    for await (const c of ln) {
      iterations++;
      c.close();
    }
    return 'ended';
  })();
  setTimeout(() => ln.close(), 20);
  t.equal(((await parked) as OpError).cause, ErrClosed, 'the parked accept got ErrClosed');
  t.equal(await loop, 'ended', 'the iteration ended without an error');
  t.equal(iterations, 0);
});

t.test('Listener.acceptSocket() hands over a raw node:net socket', opts, async (t) => {
  const ln = await listen('tcp', '127.0.0.1:0');
  const accepted = ln.acceptSocket();
  const c = await dial('tcp', String(ln.addr));
  const s = await accepted;
  t.type(s, Socket);
  t.equal(s.listenerCount('error'), 0, "strand's error listener was removed: the caller owns the socket");
  s.on('error', () => {});
  s.end('raw');
  t.equal((await drain(c)).toString(), 'raw');
  c.close();
  ln.close();
  const err = (await ln.acceptSocket().catch((e: unknown) => e)) as OpError;
  t.equal(err.cause, ErrClosed, 'acceptSocket() on a closed listener fails the same way');
});

t.test('listen() rejects bad addresses and networks with OpError', opts, async (t) => {
  const e1 = (await listen('tcp', '127.0.0.1').catch((e: unknown) => e)) as OpError;
  t.type(e1, OpError);
  t.type(e1.cause, AddrError);
  t.equal(e1.code, netCodes.ADDR);
  t.equal(e1.message, 'net: listen tcp: address 127.0.0.1: missing port in address');
  const e2 = (await listen('udp', ':0').catch((e: unknown) => e)) as OpError;
  t.type(e2.cause, UnknownNetworkError);
  t.equal(e2.message, 'net: listen udp: unknown network udp');
  const e3 = (await listen('tcp', '127.0.0.1:99999').catch((e: unknown) => e)) as OpError;
  t.match(e3.message, /invalid port/);
});

t.test('listen() on a port in use fails with EADDRINUSE', opts, async (t) => {
  const ln = await listen('tcp', '127.0.0.1:0');
  const err = (await listen('tcp', String(ln.addr)).catch((e: unknown) => e)) as OpError;
  t.type(err, OpError);
  t.equal(err.errno, 'EADDRINUSE');
  t.equal(err.code, netCodes.SYSCALL);
  t.match(err.message, /^net: listen tcp 127\.0\.0\.1:\d+: listen: address already in use$/);
  ln.close();
});
