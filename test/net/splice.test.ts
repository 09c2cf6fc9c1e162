import t from 'tap';
import { go } from '../../src/index.js';
import { ErrClosed, ErrDeadlineExceeded, OpError, copy, type Conn } from '../../src/net/index.js';
import { delay, pair } from './_helpers.js';
import { kFD } from '../../src/net/_symbols.js';

const opts = { timeout: 15_000 };

/** Runs copy(conn, conn) in a goroutine; resolves with its result or error. */
function echo(conn: Conn): Promise<number | OpError> {
  return new Promise((resolve) => {
    go(async () => {
      try {
        resolve(await copy(conn, conn));
      } catch (err) {
        resolve(err as OpError);
      }
    });
  });
}

t.test('copy(conn, conn) echoes until EOF and returns the byte count', opts, async (t) => {
  const p = await pair();
  const done = echo(p.server);
  await p.client.write(Buffer.from('one '));
  const b = Buffer.alloc(16);
  t.equal(await p.client.read(b), 4);
  await p.client.write(Buffer.from('two'));
  p.client.closeWrite();
  t.equal(await done, 7, 'copy returned at EOF');
  p.server.close();
  let got = '';
  for (let n; (n = await p.client.read(b)) !== null; ) got += b.subarray(0, n).toString();
  t.equal(got, 'two');
  p.close();
});

t.test('copy(conn, conn) fails with the read deadline while the peer is idle', opts, async (t) => {
  const p = await pair();
  p.server.setReadDeadline(Date.now() + 50);
  const err = (await echo(p.server)) as OpError;
  t.type(err, OpError);
  t.equal(err.cause, ErrDeadlineExceeded);
  t.equal(err.op, 'read');
  p.close();
});

t.test('Conn.close() during copy(conn, conn) fails it with ErrClosed', opts, async (t) => {
  const p = await pair();
  const done = echo(p.server);
  await delay(20);
  p.server.close();
  const err = (await done) as OpError;
  t.equal(err.cause, ErrClosed);
  p.close();
});

t.test('copy(conn, conn) keeps Node\'s write queue bounded while the client reads slowly', opts, async (t) => {
  const p = await pair();
  const done = echo(p.server);
  const total = 32 << 20;
  const chunk = Buffer.alloc(1 << 20, 3);
  go(async () => {
    for (let sent = 0; sent < total; sent += chunk.length) await p.client.write(chunk);
    p.client.closeWrite();
  });
  let maxQueued = 0;
  let got = 0;
  const b = Buffer.alloc(64 << 10);
  for (let i = 0; got < total; i++) {
    maxQueued = Math.max(maxQueued, p.server[kFD].socket.writableLength);
    const n = await p.client.read(b);
    if (n === null) break;
    got += n;
    if (i % 64 === 0) await delay(1); // a slow reader
  }
  t.equal(got, total, 'every byte came back');
  t.equal(await done, total, 'copy returned the count');
  t.ok(maxQueued <= 1 << 20, `the server queued at most ${maxQueued} bytes in Node`);
  p.close();
});

t.test('a goroutine reading while another copies waits its turn', opts, async (t) => {
  const p = await pair();
  const done = echo(p.server);
  const readerResult = new Promise<number | null>((resolve) => {
    go(async () => {
      resolve(await p.server.read(Buffer.alloc(8)));
    });
  });
  await p.client.write(Buffer.from('abc'));
  const b = Buffer.alloc(8);
  t.equal(await p.client.read(b), 3, 'the copy got the data');
  p.client.closeWrite();
  t.equal(await done, 3);
  t.equal(await readerResult, null, 'the queued reader then sees EOF');
  p.close();
});
