/**
 * The web side, served by Fastify with strand's plugin: route handlers run as goroutines and
 * talk to the hub through the same channels as the TCP clients, so browsers and `nc` users
 * share rooms.
 *
 *   GET  /, /app.js, /style.css   the page (examples/chat/public, no build step)
 *   POST /api/session {nick, room} → 201 {token, nick, room} | 4xx {error}
 *   GET  /api/events?token=…       Server-Sent Events: the client's outbox, one JSON event per
 *                                  message; this stream is the client's goroutine, and when it
 *                                  ends (tab closed, network gone) the client leaves
 *   POST /api/send {token, text}   one line, parsed exactly like a TCP line → 204 | 4xx {error}
 *   GET  /api/ws?token=…           WebSocket: events and lines over one connection (ws.ts); the
 *                                  page's first choice, SSE + POST its fallback
 *
 * Sessions are limited (sessions.ts): per source address, in number, in idle time; and every
 * `/api/` request from another site is refused (403; a POST that is not JSON gets 415). A
 * session that never opens its event stream is dropped after {@link ATTACH_TIMEOUT_MS}.
 *
 * @module
 */

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { fastify, LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { chan, newTicker, recvCase, select, type Context } from 'strand';
import { strand } from 'strand/fastify';
import { joinHostPort, splitHostPort } from 'strand/net';
import { Client, DEFAULT_OUTBOX_BYTES } from './client.js';
import { parseLine } from './commands.js';
import type { Hub, Refusal } from './hub.js';
import { LOBBY } from './hub.js';
import { DEFAULT_QUERY_RATE, DEFAULT_RATE, isQuery, type RateLimit } from './ratelimit.js';
import { DEFAULT_SESSION_LIMITS, Session, Sessions, crossSite, type Refused, type SessionLimits } from './sessions.js';
import { MAX_LINE_BYTES, sanitize } from './validate.js';
import { wsRoutes } from './ws.js';

/** How long a new session may wait before opening its event stream (by default). */
export const ATTACH_TIMEOUT_MS = DEFAULT_SESSION_LIMITS.attachMs;

/** The running web side. */
export interface Web {
  /** `http://host:port/`. */
  readonly url: string;
  /** Stops the HTTP server (open event streams end when the hub closes their outboxes). */
  close(): Promise<void>;
}

/** Settings of the web side. */
export interface WebOptions {
  log: Logger;
  outboxSize: number;
  /** Outbox capacity per session, in bytes of SSE frames (default {@link DEFAULT_OUTBOX_BYTES}). */
  outboxBytes?: number | undefined;
  /** Lines per second per session (default {@link DEFAULT_RATE}); over it, POSTs get 429. */
  rate?: RateLimit | undefined;
  /** `/rooms`, `/who`, `/help` per second per session, on top of `rate` (default {@link DEFAULT_QUERY_RATE}). */
  queryRate?: RateLimit | undefined;
  /** Limits on sessions (defaults: {@link DEFAULT_SESSION_LIMITS}). */
  sessions?: Partial<SessionLimits> | undefined;
}

/**
 * Where the page lives: `examples/chat/public` in the source tree, found from this file both
 * when run from `examples/chat` (tsx, ts-node) and compiled into `dist/examples/chat`.
 */
function publicDir(): string {
  const candidates = ['../../../examples/chat/public/', './public/'];
  for (const rel of candidates) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    try {
      readFileSync(dir + 'index.html');
      return dir;
    } catch {
      // try the next
    }
  }
  throw new Error(`chat: cannot find the web page (examples/chat/public) from ${fileURLToPath(import.meta.url)}`);
}

const STATIC: Record<string, string> = {
  '/': 'index.html',
  '/app.js': 'app.js',
  '/style.css': 'style.css',
};
const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/**
 * Starts the web side on `addr` (`host:port`).
 *
 * @throws the listen error.
 */
export async function startWeb(hub: Hub, addr: string, opts: WebOptions): Promise<Web> {
  const app = fastify({
    loggerInstance: opts.log as FastifyBaseLogger,
    // One log line per chat message would drown the chat's own logs.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 64 * 1024,
    // On shutdown every client has been told goodbye: close keep-alive and stream connections.
    forceCloseConnections: true,
  });
  await app.register(strand);
  const sessions = new Sessions(opts.sessions);
  routes(app, hub, sessions, opts);
  wsRoutes(app, hub, sessions, opts.log); // GET /api/ws: the page's WebSocket transport (ws.ts)
  app.strand.go(janitor, hub, sessions, opts.log, app.strand.context);
  const [h, p] = splitHostPort(addr);
  const host = h || '127.0.0.1';
  const port = Number(p);
  await app.listen({ host, port });
  const a = app.server.address();
  const bound = typeof a === 'object' && a !== null ? a : { address: host, port };
  return { url: `http://${joinHostPort(bound.address, String(bound.port))}/`, close: () => app.close() };
}

function refuse(reply: FastifyReply, r: Refused): FastifyReply {
  if (r.retryAfter !== undefined) reply.header('retry-after', String(r.retryAfter));
  return reply.code(r.status).send({ error: r.error });
}

function routes(app: FastifyInstance, hub: Hub, sessions: Sessions, opts: WebOptions): void {
  const dir = publicDir();
  // Before the body is read: another site's request never reaches a handler. No CORS headers
  // are ever sent, so no other origin is granted anything.
  app.addHook('onRequest', async (req, reply) => {
    if (!req.url.startsWith('/api/')) return;
    const bad = crossSite(req.method, req.headers);
    if (bad !== null) {
      opts.log.info({ remote: req.ip, url: req.url, origin: req.headers.origin, site: req.headers['sec-fetch-site'], status: bad.status }, 'refused a cross-site request');
      return refuse(reply, bad);
    }
  });
  for (const [path, file] of Object.entries(STATIC)) {
    const body = readFileSync(dir + file);
    const type = TYPES[file.slice(file.lastIndexOf('.') + 1)]!;
    app.get(path, async (_req, reply) => reply.headers(SECURITY_HEADERS).type(type).header('cache-control', 'no-cache').send(body));
  }

  app.post<{ Body: { nick?: unknown; room?: unknown } }>('/api/session', async (req, reply) => {
    const denied = sessions.admit(req.ip);
    if (denied !== null) {
      opts.log.warn({ remote: req.ip, status: denied.status, live: sessions.size }, `refused a session: ${denied.error}`);
      return refuse(reply, denied);
    }
    const nick = typeof req.body?.nick === 'string' ? sanitize(req.body.nick) : '';
    const room = typeof req.body?.room === 'string' ? sanitize(req.body.room) : LOBBY;
    const client = new Client('web', req.ip, opts.outboxSize, undefined, opts.outboxBytes ?? DEFAULT_OUTBOX_BYTES);
    const session = new Session(client, opts.rate ?? DEFAULT_RATE, opts.queryRate ?? DEFAULT_QUERY_RATE);
    const answer = chan<Refusal | null>(1);
    if (!(await hub.send({ op: 'connect', client, nick, room: room || LOBBY, reply: answer }))) {
      return reply.code(503).send({ error: 'server shutting down' });
    }
    const refused = await answer.recv();
    if (refused) return reply.code(refused.code === 'taken' ? 409 : refused.code === 'unavailable' ? 503 : 400).send({ error: refused.message });
    // Receiving the reply means the hub has set client.nick/room (channel happens-before).
    sessions.add(session);
    return reply.code(201).send({ token: client.token, nick: client.nick, room: client.room });
  });

  app.get<{ Querystring: { token?: string } }>('/api/events', async (req, reply) => {
    const client = await lookup(hub, req.query.token);
    const s = client && sessions.get(client);
    if (!client || !s) return reply.code(404).send({ error: 'no such session' });
    // Only one stream per session. Check-then-close has no await between, so it is atomic.
    if (s.attached.closed) return reply.code(409).send({ error: 'this session already has an event stream' });
    s.attached.close();
    s.lastActive = performance.now();
    // Each event leaves the outbox's byte count as it is framed for the stream.
    await reply.sse(client.outbox, { encode: (ev) => (client.took(ev), ev.json), done: s.hangUp });
    sessions.delete(client);
    await hub.send({ op: 'disconnect', client, reason: 'connection closed' });
  });

  app.post<{ Body: { token?: unknown; text?: unknown } }>('/api/send', async (req, reply) => {
    const { token, text } = req.body ?? {};
    if (typeof text !== 'string') return reply.code(400).send({ error: 'text must be a string' });
    if (Buffer.byteLength(text) > MAX_LINE_BYTES) {
      return reply.code(413).send({ error: `line too long (max ${MAX_LINE_BYTES} bytes); it was not sent` });
    }
    if (/[\r\n]/.test(text)) return reply.code(400).send({ error: 'one line at a time' });
    const client = await lookup(hub, typeof token === 'string' ? token : undefined);
    if (client === null) return reply.code(404).send({ error: 'no such session; join again' });
    const s = sessions.get(client);
    if (s === undefined) return reply.code(404).send({ error: 'no such session; join again' });
    if (!s.bucket.tryTake()) return reply.code(429).send({ error: 'too many messages; slow down' });
    const cmd = parseLine(text);
    if (cmd !== null && isQuery(cmd.op) && !s.queries.tryTake()) return reply.code(429).send({ error: 'too many /rooms, /who or /help; slow down' });
    s.lastActive = performance.now();
    if (cmd !== null && !(await hub.send({ ...cmd, client }))) return reply.code(503).send({ error: 'server shutting down' });
    return reply.code(204).send();
  });
}


async function lookup(hub: Hub, token: string | undefined): Promise<Client | null> {
  if (typeof token !== 'string' || token === '') return null;
  const reply = chan<Client | null>(1);
  if (!(await hub.send({ op: 'lookup', token, reply }))) return null;
  return (await reply.recv()) ?? null;
}

/**
 * The janitor goroutine: drops sessions whose page never opened its event stream, and says
 * goodbye to sessions idle too long (their outbox closes after the bye, so their stream ends).
 */
async function janitor(hub: Hub, sessions: Sessions, log: Logger, ctx: Context): Promise<void> {
  const tk = newTicker(sessions.sweepMs);
  try {
    for (;;) {
      const i = await select([recvCase(tk.c), recvCase(hub.done), recvCase(ctx.done())]);
      if (i !== 0) return;
      for (const [s, why] of sessions.expire()) {
        const c = s.client;
        log.info({ client: c.id, remote: c.remote, why }, why === 'idle' ? 'dropping an idle web session' : 'dropping a web session that never opened its event stream');
        if (why === 'idle') await hub.send({ op: 'disconnect', client: c, reason: 'idle', bye: 'idle for too long' });
        else await hub.send({ op: 'disconnect', client: c, reason: 'never opened its event stream' });
      }
    }
  } finally {
    tk.stop();
  }
}
