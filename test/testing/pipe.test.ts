/**
 * pipe (Go's net.Pipe): strand/net's bufio and copy over it, unbuffered semantics, deadlines,
 * close and closeWrite, and a pipe inside a synctest bubble.
 */
import t from 'tap';
import { Second, chan, go, goroutines, now, sleep } from '../../src/index.js';
import { ErrDeadlineExceeded, OpError, bufio, copy, errorIs, readAll, readFull } from '../../src/net/index.js';
import { ErrClosedPipe, pipe, synctest } from '../../src/testing/index.js';
import { quiesce } from '../runtime/_util.js';

const opts = { timeout: 15_000 };

t.test('pipe(): bufio.Scanner reads the lines the other end writes', opts, async (t) => {
  const [a, b] = pipe();
  go(async () => {
    const w = new bufio.Writer(a);
    for (const line of ['one', 'two', 'three']) await w.writeString(`${line}\n`);
    await w.flush();
    a.close();
  });
  const sc = new bufio.Scanner(b);
  const lines: string[] = [];
  while (await sc.scan()) lines.push(sc.text());
  t.equal(sc.err(), null);
  t.same(lines, ['one', 'two', 'three']);
});

t.test('pipe(): copy() echoes through a second pipe until end of stream', opts, async (t) => {
  const [client, server] = pipe();
  go(async () => {
    await copy(server, server); // echo: reads until the client half-closes
    server.close();
  });
  const out = chan<Buffer>(1);
  go(async () => void (await out.send(await readAll(client))));
  const msg = Buffer.alloc(100_000, 'x');
  await client.write(msg);
  client.closeWrite();
  const got = (await out.recv())!;
  t.equal(got.length, msg.length);
  t.ok(got.equals(msg), 'every byte echoed');
});

t.test('pipe(): a write stays parked until the other end has read all of it', opts, async (t) => {
  const [a, b] = pipe();
  let written = false;
  const id = go(async function writer() {
    await a.write(Buffer.from('hello world'));
    written = true;
  });
  await quiesce();
  t.notOk(written, 'no reader yet: the write is parked');
  t.match(goroutines().find((g) => g.id === id), { state: 'waiting', waitReason: 'select' });
  const buf = Buffer.alloc(5);
  t.equal(await b.read(buf), 5);
  t.equal(buf.toString(), 'hello');
  await quiesce();
  t.notOk(written, 'half read: still parked');
  const rest = Buffer.alloc(6);
  t.equal(await readFull(b, rest), 6);
  t.equal(rest.toString(), ' world');
  await quiesce();
  t.ok(written, 'all read: the write returned');
});

t.test('pipe(): close makes the peer read EOF and writes fail with ErrClosedPipe', opts, async (t) => {
  const [a, b] = pipe();
  const parked = b.read(Buffer.alloc(4)); // parked until a closes
  a.close();
  t.equal(await parked, null, 'a parked read sees end of stream');
  t.equal(await b.read(Buffer.alloc(4)), null, 'and so do later reads');
  await t.rejects(async () => b.write(Buffer.from('x')), ErrClosedPipe, "writes to a closed peer fail");
  await t.rejects(async () => a.read(Buffer.alloc(1)), ErrClosedPipe, 'reads on the closed end fail');
  await t.rejects(async () => a.write(Buffer.from('x')), ErrClosedPipe, 'writes on the closed end fail');
  a.close(); // idempotent
  t.equal(a.localAddr.network(), 'pipe');
});

t.test('pipe(): closeWrite half-closes', opts, async (t) => {
  const [a, b] = pipe();
  a.closeWrite();
  t.equal(await b.read(Buffer.alloc(1)), null, 'the peer reads EOF');
  await t.rejects(async () => a.write(Buffer.from('x')), ErrClosedPipe);
  go(async () => void (await b.write(Buffer.from('still'))));
  const buf = Buffer.alloc(5);
  t.equal(await readFull(a, buf), 5, 'the other direction still works');
  t.equal(buf.toString(), 'still');
});

t.test('pipe(): deadlines fail parked and later calls with ErrDeadlineExceeded until moved', opts, async (t) => {
  const [a, b] = pipe();
  a.setReadDeadline(Date.now() + 30);
  const err = await (async () => a.read(Buffer.alloc(1)))().catch((e: unknown) => e);
  t.ok(err instanceof OpError && err.timeout(), 'a parked read times out');
  t.ok(errorIs(err, ErrDeadlineExceeded));
  await t.rejects(async () => a.read(Buffer.alloc(1)), { cause: ErrDeadlineExceeded }, 'a later read fails at once');
  a.setReadDeadline(0); // cleared
  go(async () => void (await b.write(Buffer.from('z'))));
  t.equal(await a.read(Buffer.alloc(1)), 1, 'reads work again');
  b.setWriteDeadline(new Date(Date.now() - 1)); // in the past
  await t.rejects(async () => b.write(Buffer.from('late')), { cause: ErrDeadlineExceeded });
  a.setDeadline(Date.now() + 20);
  await t.rejects(async () => a.write(Buffer.from('nobody reads')), { cause: ErrDeadlineExceeded }, 'a parked write times out');
});

t.test('pipe(): in a synctest bubble, parks are durable and deadlines are virtual', opts, async (t) => {
  const log: string[] = [];
  await synctest.test(async () => {
    const [a, b] = pipe();
    const start = now().getTime();
    go(async () => {
      await sleep(Second);
      await b.write(Buffer.from('late hello'));
    });
    a.setReadDeadline(now().getTime() + 10 * Second);
    const buf = Buffer.alloc(10);
    await readFull(a, buf);
    log.push(`${buf.toString()} at ${(now().getTime() - start) / Second}s`);
    const err = await (async () => a.read(buf))().catch((e: unknown) => e);
    log.push(`${errorIs(err, ErrDeadlineExceeded) ? 'timeout' : String(err)} at ${(now().getTime() - start) / Second}s`);
    a.close();
  });
  t.same(log, ['late hello at 1s', 'timeout at 10s']);
});
