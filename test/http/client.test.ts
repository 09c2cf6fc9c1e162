import t from 'tap';
import { Agent } from 'undici';
import { chan, recvCase, select, background, withCancel, withTimeout, DeadlineExceeded, Canceled, cause } from '../../src/runtime/index.js';
import { Client, ClientError, ErrClientGone, ServeMux, get, post } from '../../src/http/index.js';
import { startServer } from './_helpers.js';

t.test('get() and post() talk to a strand server; bodies read in the blocking style', { timeout: 10_000 }, async (t) => {
  const mux = new ServeMux();
  mux.handleFunc('GET /hello', (w) => {
    w.header().set('X-Greeting', 'yes');
    w.write('hello, client');
  });
  mux.handleFunc('POST /echo', async (w, r) => {
    w.header().set('Content-Type', r.headers['content-type'] ?? 'none');
    w.write(await r.readAll());
  });
  mux.handleFunc('GET /big', async (w) => {
    const chunk = Buffer.alloc(16 * 1024, 'b');
    for (let i = 0; i < 16; i++) await w.write(chunk);
  });
  const { srv, base } = await startServer(mux);
  const a = await get(`${base}/hello`);
  t.equal(a.status, 200);
  t.equal(a.headers['x-greeting'], 'yes');
  t.equal(await a.text(), 'hello, client');
  const b = await post(`${base}/echo`, { n: 1 });
  t.equal(b.headers['content-type'], 'application/json');
  t.same(await b.json(), { n: 1 });
  const c = await get(`${base}/big`);
  const buf = Buffer.alloc(10_000);
  let total = 0;
  let n: number | null;
  while ((n = await c.body.read(buf)) !== null) total += n;
  t.equal(total, 256 * 1024, 'read(buf) until null reads the whole body');
  await srv.shutdown();
});

t.test('Client: a context timeout cancels the call with DeadlineExceeded and the server sees the client leave', { timeout: 10_000 }, async (t) => {
  const serverSaw = chan<Error | null>(1);
  const never = chan<void>();
  const { srv, base } = await startServer(async (w, r) => {
    await select([recvCase(never), recvCase(r.context().done())]);
    await serverSaw.send(cause(r.context()));
  });
  const [ctx, cancel] = withTimeout(background(), 100);
  const start = Date.now();
  const err = await get(base, { context: ctx }).then(
    () => null,
    (e: unknown) => e,
  );
  const elapsed = Date.now() - start;
  cancel();
  t.ok(err instanceof ClientError);
  t.equal((err as ClientError).cause, DeadlineExceeded, 'cause is the context error');
  t.match((err as Error).message, /^http: Get "http:\/\/127\.0\.0\.1:\d+": context deadline exceeded$/);
  t.ok(elapsed >= 90 && elapsed < 3000, `cancelled after ${elapsed} ms`);
  t.equal(await serverSaw.recv(), ErrClientGone);
  await srv.shutdown();
});

t.test('Client: cancelling the context while reading the body fails the read', { timeout: 10_000 }, async (t) => {
  const more = chan<void>();
  const { srv, base } = await startServer(async (w, r) => {
    w.write('start');
    w.flush();
    await select([recvCase(more), recvCase(r.context().done())]);
  });
  const [ctx, cancel] = withCancel(background());
  const res = await new Client().get(base, { context: ctx });
  const buf = Buffer.alloc(100);
  t.equal(await res.body.read(buf), 5);
  cancel();
  await t.rejects(Promise.resolve().then(() => res.body.read(buf)), { code: 'STRAND_ERR_BODY' });
  const again = await get(base, { context: ctx }).catch((e: ClientError) => e);
  t.equal((again as ClientError).cause, Canceled, 'a call with a done context fails at once');
  more.close();
  await srv.shutdown();
});

t.test('Client: connections are pooled (keep-alive reuse)', { timeout: 10_000 }, async (t) => {
  const { srv, base } = await startServer((w, r) => {
    w.write(r.remoteAddr);
  });
  const agent = new Agent({ connections: 1 });
  const client = new Client({ dispatcher: agent });
  const first = await (await client.get(base)).text();
  const second = await (await client.get(base)).text();
  t.equal(second, first, 'both requests came over the same connection');
  await agent.close();
  await srv.shutdown();
});

t.test('Client: a refused connection is a ClientError', { timeout: 10_000 }, async (t) => {
  const { srv, base } = await startServer(() => {});
  await srv.shutdown();
  const err = await get(base).catch((e: unknown) => e);
  t.ok(err instanceof ClientError);
  t.match((err as Error).message, /^http: Get ".*": /);
});
