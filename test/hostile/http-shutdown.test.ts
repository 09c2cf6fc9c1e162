// A client that opens an event stream and never reads must not hold a graceful shutdown, nor
// memory: the parked SSE write wakes with an error when the request context is cancelled and the
// connection is closed. Strand's Server.shutdown(ctx) and Fastify's app.close() (strand plugin).
import t from 'tap';
import { fastify } from 'fastify';
import { background, chan, go, goroutines, recvCase, select, sendCase, withTimeout, type Chan, type Context } from '../../src/runtime/index.js';
import { errorIs } from '../../src/net/index.js';
import { ErrServerClosed, httpCodes, serveSSE } from '../../src/http/index.js';
import { strand } from '../../src/http/fastify/index.js';
import { startServer } from '../http/_helpers.js';
import { RawConn, RssSampler, within } from './_raw.js';

const EVENT = 'x'.repeat(32 * 1024);

/** Sends EVENT on `ch` until `ctx` is done (the producer a well-behaved SSE handler starts). */
async function producer(ctx: Context, ch: Chan<string>): Promise<void> {
  const gone = recvCase(ctx.done());
  for (;;) if ((await select([sendCase(ch, EVENT), gone])) === 1) return;
}

/** Waits until a goroutine running `fn` is parked in "IO wait" (no event says so: poll the dump). */
async function parkedInIOWait(fn: string): Promise<void> {
  for (;;) {
    if (goroutines().some((g) => g.fn === fn && g.waitReason === 'IO wait')) return;
    await new Promise((r) => setTimeout(r, 10));
  }
}

t.test('Server.shutdown(ctx) with non-reading clients (SSE and a plain streaming write) finishes within its deadline', { timeout: 15_000 }, async (t) => {
  const rss = new RssSampler();
  const sseEnded = chan<void>(1);
  const writeErr = chan<unknown>(1);
  const chunk = Buffer.alloc(64 * 1024, 'y');
  const { srv, port, logs } = await startServer(async (w, r) => {
    if (r.path === '/events') {
      const ch = chan<string>();
      go(producer, r.context(), ch);
      await serveSSE(w, r, ch);
      sseEnded.trySend();
      return;
    }
    try {
      for (;;) await w.write(chunk); // ignores its context: only the parked write can stop it
    } catch (err) {
      writeErr.trySend(err);
    }
  });
  const clients: RawConn[] = [];
  for (const path of ['/events', '/stream']) {
    const c = await RawConn.open(port);
    c.sock.pause(); // never read
    c.send(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
    clients.push(c);
  }
  await within(
    (async () => {
      while (goroutines().filter((g) => g.fn === 'serveRequest' && g.waitReason === 'IO wait').length < 2) await new Promise((r) => setTimeout(r, 10));
    })(),
    10_000,
    'both writes park on backpressure',
  );

  const DEADLINE = 3_000;
  const [ctx, cancel] = withTimeout(background(), DEADLINE);
  const t0 = performance.now();
  await t.resolves(srv.shutdown(ctx), 'shutdown completes without hitting its deadline');
  const ms = performance.now() - t0;
  cancel();
  t.ok(ms < 1_000, `shutdown took ${ms.toFixed(0)} ms (deadline ${DEADLINE} ms)`);
  await sseEnded.recv();
  t.pass('serveSSE returned');
  const err = await writeErr.recv();
  t.match(err, { code: httpCodes.WRITE_CANCELED }, 'the parked write failed with STRAND_ERR_WRITE_CANCELED');
  t.ok(errorIs(err, ErrServerClosed), 'errorIs(err, ErrServerClosed): the cause is the shutdown');
  // The client now reads: it gets what was already in flight, then the end of the connection.
  for (const c of clients) {
    c.sock.resume();
    await within(c.closed, 5_000, 'the non-reading client was disconnected');
  }
  const m = rss.stop();
  t.same(logs.filter((l) => (l.level as number) >= 50), [], 'no error-level log');
  t.comment(`PEAK strand shutdown, 2 non-reading clients: ${ms.toFixed(0)} ms (bound 1000, deadline ${DEADLINE}); RSS ${m.baseMiB} → peak ${m.peakMiB} MiB (+${m.growthMiB})`);
});

t.test('Fastify app.close() (strand plugin) with a non-reading reply.sse client finishes promptly', { timeout: 15_000 }, async (t) => {
  const rss = new RssSampler();
  const app = fastify();
  await app.register(strand);
  const ended = chan<void>(1);
  app.get('/events', async (request, reply) => {
    const ch = chan<string>();
    go(producer, request.context, ch);
    await reply.sse(ch);
    ended.trySend();
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  const c = await RawConn.open(port);
  c.sock.pause();
  c.send('GET /events HTTP/1.1\r\nHost: x\r\n\r\n');
  await within(parkedInIOWait('runRoute'), 10_000, 'the reply.sse write parks on backpressure');
  const t0 = performance.now();
  await within(app.close(), 3_000, 'app.close()');
  const ms = performance.now() - t0;
  t.ok(ms < 1_000, `app.close() took ${ms.toFixed(0)} ms`);
  await ended.recv();
  t.pass('reply.sse resolved');
  c.sock.resume();
  await within(c.closed, 5_000, 'the non-reading client was disconnected');
  const m = rss.stop();
  t.comment(`PEAK fastify app.close, 1 non-reading SSE client: ${ms.toFixed(0)} ms (bound 1000); RSS ${m.baseMiB} → peak ${m.peakMiB} MiB (+${m.growthMiB})`);
});

t.test('reply.sse: closing `done` while the write is parked ends the stream and closes the connection', { timeout: 15_000 }, async (t) => {
  const app = fastify();
  await app.register(strand);
  const done = chan<void>();
  const ended = chan<void>(1);
  app.get('/events', async (request, reply) => {
    const ch = chan<string>();
    go(producer, request.context, ch);
    await reply.sse(ch, { done });
    ended.trySend();
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  const c = await RawConn.open(port);
  c.sock.pause();
  c.send('GET /events HTTP/1.1\r\nHost: x\r\n\r\n');
  await within(parkedInIOWait('runRoute'), 10_000, 'the reply.sse write parks on backpressure');
  done.close(); // e.g. the chat hub dropping a client that is too slow
  await within(Promise.resolve(ended.recv()), 2_000, 'reply.sse resolves');
  c.sock.resume();
  await within(c.closed, 5_000, 'the dropped client was disconnected (nothing stays queued for it)');
  t.pass('stream ended and connection closed');
  await app.close();
});
