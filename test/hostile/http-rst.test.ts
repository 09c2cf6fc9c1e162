// Clients that reset the connection mid-stream: a write to a gone client is an error value the
// handler sees (ErrClientGone, errorIs-able, a stable code), and one that escapes the handler is
// logged at debug level with the client's address — never as an error-level panic.
import t from 'tap';
import { Writable } from 'node:stream';
import { fastify } from 'fastify';
import { pino } from 'pino';
import { chan, go, recvCase, select, sendCase, type Chan, type Context } from '../../src/runtime/index.js';
import { errorIs } from '../../src/net/index.js';
import { ErrClientGone, ServeMux, httpCodes, serveSSE } from '../../src/http/index.js';
import { strand } from '../../src/http/fastify/index.js';
import { startServer } from '../http/_helpers.js';
import { RawConn, within } from './_raw.js';

const N = 30;
const chunk = Buffer.alloc(16 * 1024, 'z');

async function producer(ctx: Context, ch: Chan<string>): Promise<void> {
  const gone = recvCase(ctx.done());
  for (let i = 0; ; i++) if ((await select([sendCase(ch, `event ${i} ${'e'.repeat(1000)}`), gone])) === 1) return;
}

/** Opens a connection, sends `req`, waits for the first response bytes, then resets it (RST). */
async function resetMidStream(port: number, req: string): Promise<void> {
  const c = await RawConn.open(port);
  c.send(req);
  while (c.pending.length === 0) await c.news();
  c.sock.resetAndDestroy();
}

t.test('RSTs mid-stream: no error-level log line; escaped write errors are debug lines with the client address', { timeout: 30_000 }, async (t) => {
  const finished = chan<string>(3 * N);
  const caught = chan<unknown>(N);
  const mux = new ServeMux();
  // Lets the write error escape (a careless handler).
  mux.handleFunc('GET /escape', async (w) => {
    try {
      for (;;) await w.write(chunk);
    } finally {
      finished.trySend('escape');
    }
  });
  // Handles it as a Go handler would.
  mux.handleFunc('GET /handled', async (w) => {
    try {
      for (;;) await w.write(chunk);
    } catch (err) {
      caught.trySend(err);
    } finally {
      finished.trySend('handled');
    }
  });
  mux.handleFunc('GET /events', async (w, r) => {
    const ch = chan<string>();
    go(producer, r.context(), ch);
    try {
      await serveSSE(w, r, ch);
    } finally {
      finished.trySend('sse');
    }
  });
  const { srv, port, logs } = await startServer(mux);
  const t0 = performance.now();
  const resets: Promise<void>[] = [];
  for (let i = 0; i < N; i++) {
    for (const p of ['/escape', '/handled', '/events']) resets.push(resetMidStream(port, `GET ${p} HTTP/1.1\r\nHost: x\r\n\r\n`));
  }
  await Promise.all(resets);
  for (let i = 0; i < 3 * N; i++) await within(Promise.resolve(finished.recv()), 10_000, 'every handler ends');
  const ms = performance.now() - t0;
  for (let i = 0; i < N; i++) {
    const err = await caught.recv();
    t.ok(errorIs(err, ErrClientGone) && (err as { code?: string }).code === httpCodes.CLIENT_GONE, 'the handler saw ErrClientGone (STRAND_ERR_CLIENT_GONE)');
  }
  await srv.shutdown();
  const errors = logs.filter((l) => (l.level as number) >= 40);
  t.same(errors, [], 'no warn/error-level log line');
  t.notOk(logs.some((l) => /panic/.test(String(l.msg))), 'nothing logged as a panic');
  t.notOk(logs.some((l) => /:undefined/.test(String(l.msg))), 'no ":undefined" address');
  const debug = logs.filter((l) => l.level === 20 && /abandoned/.test(String(l.msg)));
  t.equal(debug.length, N, 'one debug line per escaped write error');
  t.match(String(debug[0]?.msg), /^http: response to 127\.0\.0\.1:\d+ abandoned: http: client disconnected$/);
  t.comment(`PEAK ${3 * N} RSTs mid-stream handled in ${ms.toFixed(0)} ms; error-level lines: ${logs.filter((l) => (l.level as number) >= 50).length}`);
});

t.test('RSTs mid-stream on Fastify reply.sse: no error-level log line', { timeout: 30_000 }, async (t) => {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(c: Buffer, _e, cb) {
      for (const l of c.toString().split('\n')) if (l !== '') lines.push(JSON.parse(l));
      cb();
    },
  });
  const app = fastify({ loggerInstance: pino({ level: 'debug' }, sink) });
  await app.register(strand);
  const finished = chan<void>(N);
  app.get('/events', async (request, reply) => {
    const ch = chan<string>();
    go(producer, request.context, ch);
    try {
      await reply.sse(ch);
    } finally {
      finished.trySend();
    }
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  const resets: Promise<void>[] = [];
  for (let i = 0; i < N; i++) resets.push(resetMidStream(port, 'GET /events HTTP/1.1\r\nHost: x\r\n\r\n'));
  await Promise.all(resets);
  for (let i = 0; i < N; i++) await within(Promise.resolve(finished.recv()), 10_000, 'every stream ends');
  await app.close();
  t.same(lines.filter((l) => (l.level as number) >= 50), [], 'no error-level log line');
});
