import t from 'tap';
import { go } from '../../src/index.js';
import { ErrClosed, OpError, errorIs, netCodes } from '../../src/net/index.js';
import { drain, pair } from './_helpers.js';

const opts = { timeout: 10_000 };

t.test('Conn.read() resolves null at EOF, after the data', opts, async (t) => {
  const p = await pair();
  await p.client.write(Buffer.from('hello'));
  p.client.close();
  const got = await drain(p.server);
  t.equal(got.toString(), 'hello');
  t.equal(await p.server.read(Buffer.alloc(8)), null, 'EOF again on the next read');
  p.close();
});

t.test('Conn.read() returns a plain number when data is already buffered', opts, async (t) => {
  const p = await pair();
  await p.client.write(Buffer.from('abcdef'));
  const buf = Buffer.alloc(2);
  const first = await p.server.read(buf); // parks until data arrives
  t.equal(first, 2);
  const second = p.server.read(buf);
  t.equal(typeof second, 'number', 'the rest was kept: no promise');
  t.equal(buf.toString(), 'cd');
  t.equal(p.server.read(buf), 2);
  t.equal(buf.toString(), 'ef');
  p.close();
});

t.test('Conn.read() of an empty buffer returns 0', opts, async (t) => {
  const p = await pair();
  t.equal(p.server.read(Buffer.alloc(0)), 0);
  p.close();
});

t.test('Conn.close() wakes a parked read with ErrClosed', opts, async (t) => {
  const p = await pair();
  const pending = p.server.read(Buffer.alloc(16));
  t.type(pending, Promise, 'no data: the read parks');
  p.server.close();
  const err = (await (pending as Promise<unknown>).catch((e: unknown) => e)) as OpError;
  t.type(err, OpError);
  t.equal(err.cause, ErrClosed);
  t.equal(err.code, netCodes.CLOSED);
  t.equal(err.op, 'read');
  t.match(err.message, /^net: read tcp 127\.0\.0\.1:\d+->127\.0\.0\.1:\d+: use of closed network connection$/);
  p.close();
});

t.test('Conn.read() and Conn.write() after close() fail with ErrClosed', opts, async (t) => {
  const p = await pair();
  p.client.close();
  p.client.close(); // closing twice does nothing
  t.throws(() => p.client.read(Buffer.alloc(4)), { code: netCodes.CLOSED, op: 'read' });
  t.throws(() => p.client.write(Buffer.from('x')), { code: netCodes.CLOSED, op: 'write' });
  try {
    p.client.write(Buffer.from('x'));
  } catch (err) {
    t.ok(errorIs(err, ErrClosed), 'errorIs finds the sentinel');
    t.match((err as Error).message, /^net: write tcp .*: use of closed network connection$/);
  }
  p.close();
});

t.test('Conn.write() of data that fits completes at once and arrives intact', opts, async (t) => {
  const p = await pair();
  const r = p.client.write(Buffer.from('ping'));
  t.equal(r, 4, 'a plain number: handed to the kernel at once');
  const buf = Buffer.alloc(4);
  t.equal(await p.server.read(buf), 4);
  t.equal(buf.toString(), 'ping');
  p.close();
});

t.test('Conn.closeWrite() half-closes: the peer reads EOF and can still write back', opts, async (t) => {
  const p = await pair();
  await p.client.write(Buffer.from('question'));
  p.client.closeWrite();
  const got = await drain(p.server);
  t.equal(got.toString(), 'question', 'the data, then EOF');
  await p.server.write(Buffer.from('answer'));
  p.server.close();
  t.equal((await drain(p.client)).toString(), 'answer', 'the half-closed side still reads');
  try {
    p.client.write(Buffer.from('late'));
    t.fail('writing after closeWrite must fail');
  } catch (err) {
    t.equal((err as OpError).errno, 'EPIPE', 'writing after closeWrite is EPIPE');
    t.match((err as Error).message, /^net: write tcp .*: write: broken pipe$/);
  }
  p.close();
});

t.test('Conn serializes concurrent reads: each reader gets its own bytes, in order', opts, async (t) => {
  const p = await pair();
  const results: string[] = [];
  const done: Promise<void>[] = [];
  for (let i = 0; i < 3; i++) {
    done.push(
      new Promise<void>((resolve) => {
        go(async () => {
          const b = Buffer.alloc(2);
          const n = await p.server.read(b);
          results.push(b.subarray(0, n ?? 0).toString());
          resolve();
        });
      }),
    );
  }
  await p.client.write(Buffer.from('aabbcc'));
  await Promise.all(done);
  t.same(results, ['aa', 'bb', 'cc']);
  p.close();
});

t.test('Conn.localAddr and remoteAddr mirror each other', opts, async (t) => {
  const p = await pair();
  t.equal(String(p.client.localAddr), String(p.server.remoteAddr));
  t.equal(String(p.client.remoteAddr), String(p.server.localAddr));
  t.equal(String(p.client.remoteAddr), String(p.ln.addr));
  t.equal(p.client.localAddr.network(), 'tcp');
  p.client.setNoDelay(false);
  p.client.setKeepAlive(true, 1000);
  p.close();
});

t.test('Conn.write() of 8 MiB to a reading peer arrives byte for byte', opts, async (t) => {
  const p = await pair();
  const data = Buffer.alloc(8 << 20);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7) & 0xff;
  go(async () => {
    await p.client.write(data);
    p.client.closeWrite();
  });
  const got = await drain(p.server);
  t.equal(got.length, data.length);
  t.ok(got.equals(data), 'identical');
  p.close();
});

t.test('Conn[Symbol.asyncDispose]: `await using` closes the connection at scope exit, the peer reads EOF after the data', opts, async (t) => {
  const p = await pair();
  {
    await using c = p.client;
    await c.write(Buffer.from('last words'));
  }
  t.equal((await drain(p.server)).toString(), 'last words', 'the data, then EOF');
  t.throws(() => p.client.read(Buffer.alloc(8)), { code: netCodes.CLOSED, op: 'read' }, 'the disposed conn is closed');
  p.close();
});

t.test('Conn[Symbol.asyncDispose]: `await using` closes the connection when the scope throws', opts, async (t) => {
  const p = await pair();
  const boom = new Error('boom');
  const thrown = await (async () => {
    await using c = p.client;
    await c.write(Buffer.from('partial'));
    throw boom;
  })().catch((e: unknown) => e);
  t.equal(thrown, boom, 'the error propagates unchanged');
  t.equal((await drain(p.server)).toString(), 'partial', 'the peer still reads EOF');
  p.close();
});
