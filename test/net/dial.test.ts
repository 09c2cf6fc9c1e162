import { spawn, type ChildProcess } from 'node:child_process';
import t from 'tap';
import { background, withCancel, withTimeout } from '../../src/index.js';
import { ErrDeadlineExceeded, OpError, dial, listen, netCodes, type Conn } from '../../src/net/index.js';

const opts = { timeout: 15_000 };

/**
 * A TCP listener on 127.0.0.1 that never accepts, with a backlog of 0 (python3's socket module):
 * once its accept queue is full, the kernel drops further SYNs and connects hang — a dial that
 * times out without leaving the machine.
 */
async function blackhole(): Promise<{ port: number; child: ChildProcess }> {
  const script = [
    'import socket, sys, time',
    's = socket.socket()',
    "s.bind(('127.0.0.1', 0))",
    's.listen(0)',
    "print(s.getsockname()[1], flush=True)",
    'sys.stdin.read()',
  ].join('\n');
  const child = spawn('python3', ['-c', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
  });
  return { port, child };
}

/** Dials until the black hole's queue is full; returns the conns that got in. */
async function fill(port: number): Promise<Conn[]> {
  const conns: Conn[] = [];
  for (let i = 0; i < 16; i++) {
    try {
      conns.push(await dial('tcp', `127.0.0.1:${port}`, { timeout: 150 }));
    } catch (err) {
      if ((err as OpError).cause === ErrDeadlineExceeded) return conns;
      throw err;
    }
  }
  throw new Error('the accept queue never filled');
}

t.test('dial() to a closed port fails with ECONNREFUSED', opts, async (t) => {
  const ln = await listen('tcp', '127.0.0.1:0');
  const addr = String(ln.addr);
  ln.close();
  await new Promise((r) => setImmediate(r));
  const err = (await dial('tcp', addr).catch((e: unknown) => e)) as OpError;
  t.type(err, OpError);
  t.equal(err.op, 'dial');
  t.equal(err.errno, 'ECONNREFUSED');
  t.equal(err.message, `net: dial tcp ${addr}: connect: connection refused`);
});

t.test('dial() with a timeout fails with an i/o timeout when the peer never answers', opts, async (t) => {
  const bh = await blackhole();
  try {
    const held = await fill(bh.port);
    const t0 = Date.now();
    const err = (await dial('tcp', `127.0.0.1:${bh.port}`, { timeout: 100 }).catch((e: unknown) => e)) as OpError;
    const took = Date.now() - t0;
    t.type(err, OpError);
    t.equal(err.cause, ErrDeadlineExceeded);
    t.ok(err.timeout());
    t.equal(err.message, `net: dial tcp 127.0.0.1:${bh.port}: i/o timeout`);
    t.ok(took >= 90 && took < 3000, `gave up after ${took} ms`);
    for (const c of held) c.close();
  } finally {
    bh.child.kill();
  }
});

t.test('dial() is cancelled by its context and by an AbortSignal', opts, async (t) => {
  const bh = await blackhole();
  try {
    const held = await fill(bh.port);
    const addr = `127.0.0.1:${bh.port}`;

    const [ctx, cancel] = withCancel(background());
    setTimeout(cancel, 30);
    const e1 = (await dial('tcp', addr, { context: ctx }).catch((e: unknown) => e)) as OpError;
    t.equal(e1.code, netCodes.CANCELED, 'context cancel');
    t.equal(e1.message, `net: dial tcp ${addr}: operation was canceled`);

    const [tctx, tcancel] = withTimeout(background(), 30);
    const e2 = (await dial('tcp', addr, { context: tctx }).catch((e: unknown) => e)) as OpError;
    tcancel();
    t.equal(e2.cause, ErrDeadlineExceeded, 'a context deadline is an i/o timeout');

    const ac = new AbortController();
    setTimeout(() => ac.abort(), 30);
    const e3 = (await dial('tcp', addr, { signal: ac.signal }).catch((e: unknown) => e)) as OpError;
    t.equal(e3.code, netCodes.CANCELED, 'AbortSignal');

    const e4 = (await dial('tcp', addr, { signal: AbortSignal.abort() }).catch((e: unknown) => e)) as OpError;
    t.equal(e4.code, netCodes.CANCELED, 'an aborted signal fails at once');
    for (const c of held) c.close();
  } finally {
    bh.child.kill();
  }
});

t.test('dial() rejects a bad address with an AddrError cause', opts, async (t) => {
  const err = (await dial('tcp', 'localhost').catch((e: unknown) => e)) as OpError;
  t.equal(err.message, 'net: dial tcp: address localhost: missing port in address');
  const err2 = (await dial('tcp', '[::1:80').catch((e: unknown) => e)) as OpError;
  t.match(err2.message, /missing '\]' in address/);
});
