import t from 'tap';
import { OpError, dial, listen } from '../../src/net/index.js';
import { rawServer } from './_helpers.js';

const opts = { timeout: 10_000 };

t.test('a peer that resets mid-write fails the write with an OpError, never a crash', opts, async (t) => {
  const ln = await listen('tcp', '127.0.0.1:0');
  const accepted = ln.accept();
  const { connect } = await import('node:net');
  const peer = connect({ host: '127.0.0.1', port: Number(String(ln.addr).split(':')[1]) });
  await new Promise((r) => peer.once('connect', r));
  peer.on('error', () => {});
  peer.pause(); // the peer does not read: the writer will park
  const server = await accepted;
  const chunk = Buffer.alloc(256 << 10, 7);
  let failure: unknown = null;
  let wrote = 0;
  let reset = false;
  try {
    for (let i = 0; i < 4096; i++) {
      const r = server.write(chunk);
      if (r instanceof Promise && !reset) {
        reset = true;
        peer.resetAndDestroy(); // RST while our write is parked
      }
      await r;
      wrote += chunk.length;
    }
  } catch (err) {
    failure = err;
  }
  t.ok(reset, 'the write parked and the peer reset');
  t.type(failure, OpError, `the write failed after ${wrote} bytes`);
  const e = failure as OpError;
  t.equal(e.op, 'write');
  t.ok(e.errno === 'ECONNRESET' || e.errno === 'EPIPE', `errno ${e.errno}`);
  t.match(e.message, /^net: write tcp 127\.0\.0\.1:\d+(->127\.0\.0\.1:\d+)?: (read|write): (connection reset by peer|broken pipe)$/);
  // The error is sticky: the next operations fail the same way instead of hanging.
  t.throws(() => server.write(Buffer.from('x')), OpError);
  server.close();
  ln.close();
});

t.test('a peer that resets fails a parked read with ECONNRESET', opts, async (t) => {
  const { server: raw, port } = await rawServer((s) => {
    s.on('error', () => {});
    setTimeout(() => s.resetAndDestroy(), 30);
  });
  const c = await dial('tcp', `127.0.0.1:${port}`);
  const err = (await (c.read(Buffer.alloc(16)) as Promise<unknown>).catch((e: unknown) => e)) as OpError;
  t.type(err, OpError);
  t.equal(err.op, 'read');
  t.equal(err.errno, 'ECONNRESET');
  t.match(err.message, /read: connection reset by peer$/);
  c.close();
  raw.close();
});
