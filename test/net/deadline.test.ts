import t from 'tap';
import { go } from '../../src/index.js';
import { ErrDeadlineExceeded, OpError, dial, listen, netCodes } from '../../src/net/index.js';
import { pair } from './_helpers.js';

const opts = { timeout: 10_000 };

async function rejection(p: unknown): Promise<OpError> {
  return (await (p as Promise<unknown>).then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  )) as OpError;
}

t.test('Conn.setReadDeadline() fails a parked read with an i/o timeout', opts, async (t) => {
  const p = await pair();
  const t0 = Date.now();
  p.server.setReadDeadline(Date.now() + 60);
  const err = await rejection(p.server.read(Buffer.alloc(8)));
  const waited = Date.now() - t0;
  t.type(err, OpError);
  t.equal(err.cause, ErrDeadlineExceeded);
  t.equal(err.code, netCodes.TIMEOUT);
  t.ok(err.timeout(), 'timeout() is true');
  t.match(err.message, /^net: read tcp .*->.*: i\/o timeout$/);
  t.ok(waited >= 50 && waited < 2000, `fired after ${waited} ms`);
  p.close();
});

t.test('a passed read deadline fails later reads, even with data, until it is moved', opts, async (t) => {
  const p = await pair();
  p.server.setReadDeadline(new Date(Date.now() - 1));
  t.throws(() => p.server.read(Buffer.alloc(8)), { code: netCodes.TIMEOUT }, 'fails at once');
  await p.client.write(Buffer.from('data'));
  t.throws(() => p.server.read(Buffer.alloc(8)), { code: netCodes.TIMEOUT }, 'still fails');
  p.server.setReadDeadline(Date.now() + 5_000); // moved into the future
  const buf = Buffer.alloc(8);
  const n = await p.server.read(buf);
  t.equal(buf.subarray(0, n ?? 0).toString(), 'data', 'reads work again');
  p.close();
});

t.test('moving a read deadline later keeps a parked read waiting', opts, async (t) => {
  const p = await pair();
  p.server.setReadDeadline(Date.now() + 40);
  const pending = p.server.read(Buffer.alloc(8));
  p.server.setReadDeadline(Date.now() + 5_000);
  setTimeout(() => void p.client.write(Buffer.from('late')), 120);
  t.equal(await pending, 4, 'the read completed after the first deadline would have fired');
  p.close();
});

t.test('setReadDeadline(0) and setDeadline(undefined) clear the deadline', opts, async (t) => {
  const p = await pair();
  p.server.setReadDeadline(Date.now() + 30);
  p.server.setReadDeadline(0);
  p.client.setDeadline(Date.now() + 30);
  p.client.setDeadline(undefined);
  setTimeout(() => {
    void p.client.write(Buffer.from('x'));
    void p.server.write(Buffer.from('y'));
  }, 100);
  t.equal(await p.server.read(Buffer.alloc(1)), 1, 'no timeout on the server');
  t.equal(await p.client.read(Buffer.alloc(1)), 1, 'no timeout on the client');
  p.close();
});

t.test('Conn.setWriteDeadline() fails a write parked on a peer that does not read', opts, async (t) => {
  const p = await pair();
  const chunk = Buffer.alloc(1 << 20, 1);
  let parked: Promise<unknown> | null = null;
  for (let i = 0; i < 256 && parked === null; i++) {
    const r = p.server.write(chunk);
    if (r instanceof Promise) parked = r;
  }
  t.ok(parked !== null, 'the writer parked: the peer does not read');
  p.server.setWriteDeadline(Date.now() + 50);
  const err = await rejection(parked);
  t.equal(err.cause, ErrDeadlineExceeded);
  t.match(err.message, /^net: write tcp .*: i\/o timeout$/);
  t.throws(() => p.server.write(Buffer.from('x')), { code: netCodes.TIMEOUT }, 'later writes fail too');
  p.server.setWriteDeadline(0);
  // Once cleared, writing works again as soon as the peer reads.
  let drained = 0;
  const reader = new Promise<void>((resolve) => {
    go(async () => {
      const b = Buffer.alloc(1 << 16);
      for (let n; (n = await p.client.read(b)) !== null; ) drained += n;
      resolve();
    });
  });
  t.equal(await p.server.write(Buffer.from('x')), 1);
  p.server.close();
  await reader;
  t.ok(drained > 1, `the reader got the data (${drained} bytes)`);
  p.close();
});

t.test('Listener.setDeadline() fails a parked accept, then later accepts, until cleared', opts, async (t) => {
  const ln = await listen('tcp', '127.0.0.1:0');
  ln.setDeadline(Date.now() + 50);
  const err = await rejection(ln.accept());
  t.equal(err.cause, ErrDeadlineExceeded);
  t.equal(err.op, 'accept');
  t.match(err.message, /^net: accept tcp 127\.0\.0\.1:\d+: i\/o timeout$/);
  const again = await rejection(ln.accept());
  t.equal(again.cause, ErrDeadlineExceeded, 'the next accept fails at once');
  ln.setDeadline(0);
  const accepted = ln.accept();
  const c = await dial('tcp', String(ln.addr));
  const s = await accepted;
  t.ok(s, 'accept works after clearing the deadline');
  c.close();
  s.close();
  ln.close();
});
