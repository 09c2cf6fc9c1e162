import t from 'tap';
import { fastify } from 'fastify';
import { request } from 'undici';
import { cause, chan, goroutines, recvCase, select } from '../../src/runtime/index.js';
import { ErrClientGone, ErrServerClosed } from '../../src/http/index.js';
import { strand } from '../../src/http/fastify/index.js';

async function listen(app: ReturnType<typeof fastify>): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const a = app.server.address() as { port: number };
  return `http://127.0.0.1:${a.port}`;
}

t.test('strand plugin: handlers run as goroutines and talk through channels (listen + undici)', { timeout: 10_000 }, async (t) => {
  const app = fastify();
  await app.register(strand);
  const msgs = chan<string>();
  app.get('/poll', async () => ({ got: await msgs.recv() }));
  app.post<{ Body: { m: string } }>('/send', async (req, reply) => {
    await msgs.send(req.body.m);
    return reply.code(204).send();
  });
  const base = await listen(app);
  const poll = request(`${base}/poll`);
  // Wait until the long-poll handler is parked in its goroutine.
  for (let i = 0; i < 100 && !goroutines().some((g) => g.fn === 'runRoute' && g.waitReason === 'chan receive'); i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  t.ok(goroutines().some((g) => g.fn === 'runRoute' && g.waitReason === 'chan receive'), 'the handler is a goroutine parked on "chan receive"');
  const sent = await request(`${base}/send`, { method: 'POST', body: '{"m":"hi"}', headers: { 'content-type': 'application/json' } });
  t.equal(sent.statusCode, 204);
  await sent.body.dump();
  const res = await poll;
  t.same(await res.body.json(), { got: 'hi' });
  await app.close();
});

t.test('strand plugin: request.context is cancelled with ErrClientGone on client abort', { timeout: 10_000 }, async (t) => {
  const app = fastify();
  await app.register(strand);
  const started = chan<void>(1);
  const result = chan<Error | null>(1);
  const never = chan<void>();
  app.get('/wait', async (req) => {
    started.trySend();
    await select([recvCase(never), recvCase(req.context.done())]);
    await result.send(cause(req.context));
    return 'unreachable client';
  });
  const base = await listen(app);
  const ac = new AbortController();
  const p = request(`${base}/wait`, { signal: ac.signal });
  await started.recv();
  ac.abort();
  await t.rejects(p);
  t.equal(await result.recv(), ErrClientGone);
  await app.close();
});

t.test('strand plugin: app.close() cancels in-flight request contexts and app.strand.go goroutines, and waits for them', { timeout: 10_000 }, async (t) => {
  const app = fastify();
  await app.register(strand);
  const started = chan<void>(1);
  const never = chan<void>();
  let backgroundDone = false;
  app.strand.go(async () => {
    await select([recvCase(never), recvCase(app.strand.context.done())]);
    await new Promise((r) => setTimeout(r, 50));
    backgroundDone = true;
  });
  app.get('/longpoll', async (req, reply) => {
    started.trySend();
    const i = await select([recvCase(never), recvCase(req.context.done())]);
    t.equal(i, 1);
    t.equal(cause(req.context), ErrServerClosed, 'cause: the server is closing');
    return reply.code(503).send({ error: 'shutting down' });
  });
  const base = await listen(app);
  const p = request(`${base}/longpoll`);
  await started.recv();
  await app.close();
  t.ok(backgroundDone, 'app.close() waited for the background goroutine');
  const res = await p;
  t.equal(res.statusCode, 503, 'the long-poll ended with its own response');
  await res.body.dump();
});

t.test('strand plugin: works with inject, and errors go through Fastify\'s error handler', { timeout: 10_000 }, async (t) => {
  const app = fastify();
  await app.register(strand);
  const seen: string[] = [];
  app.setErrorHandler((err: Error, _req, reply) => {
    seen.push(err.message);
    return reply.code(418).send({ handled: err.message });
  });
  const ch = chan<number>(1);
  app.get('/ctx', async (req) => {
    await ch.send(7);
    return { hasSignal: req.context.signal instanceof AbortSignal, v: await ch.recv(), done: req.context.err() === null };
  });
  app.get('/throw', () => {
    throw new Error('sync boom');
  });
  app.get('/reject', async () => {
    await Promise.resolve();
    throw new Error('async boom');
  });
  app.get('/plain', { config: { strand: false } }, async () => 'not a goroutine');
  const a = await app.inject('/ctx');
  t.same(a.json(), { hasSignal: true, v: 7, done: true });
  const b = await app.inject('/throw');
  t.equal(b.statusCode, 418);
  t.same(b.json(), { handled: 'sync boom' });
  const c = await app.inject('/reject');
  t.equal(c.statusCode, 418);
  t.same(seen, ['sync boom', 'async boom']);
  t.equal((await app.inject('/plain')).body, 'not a goroutine');
  await app.close();
});

t.test('strand plugin: reply.sse() streams a channel to a real client and via inject', { timeout: 10_000 }, async (t) => {
  const app = fastify();
  await app.register(strand);
  app.get('/events', async (_req, reply) => {
    const ch = chan<{ n: number }>(3);
    for (let n = 1; n <= 3; n++) ch.trySend({ n });
    ch.close();
    reply.header('x-extra', 'kept');
    await reply.sse(ch, { event: 'num', serialize: (v) => String(v.n) });
  });
  const stop = chan<void>();
  app.get('/until-done', async (_req, reply) => {
    await reply.sse(chan<string>(), { done: stop });
  });
  const base = await listen(app);
  const res = await request(`${base}/events`);
  t.match(res.headers['content-type'], /^text\/event-stream/);
  t.equal(res.headers['x-extra'], 'kept');
  t.equal(await res.body.text(), 'event: num\ndata: 1\n\nevent: num\ndata: 2\n\nevent: num\ndata: 3\n\n');
  const inj = await app.inject('/events');
  t.equal(inj.body, 'event: num\ndata: 1\n\nevent: num\ndata: 2\n\nevent: num\ndata: 3\n\n');
  const p = request(`${base}/until-done`);
  const r2 = await p;
  stop.close();
  t.equal(await r2.body.text(), '', 'closing opts.done ends the stream');
  await app.close();
});
