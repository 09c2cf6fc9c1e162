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
 *
 * A session that never opens its event stream is dropped after {@link ATTACH_TIMEOUT_MS}.
 *
 * @module
 */

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fastify, LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { after, chan, recvCase, select, type Chan, type Context } from 'strand';
import { strand } from 'strand/fastify';
import { joinHostPort, splitHostPort } from 'strand/net';
import { Client } from './client.js';
import { parseLine } from './commands.js';
import type { Hub, Refusal } from './hub.js';
import { LOBBY } from './hub.js';
import { DEFAULT_RATE, TokenBucket, type RateLimit } from './ratelimit.js';
import { MAX_LINE_BYTES, sanitize } from './validate.js';

/** How long a new session may wait before opening its event stream. */
export const ATTACH_TIMEOUT_MS = 15_000;

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
  /** Lines per second per session (default {@link DEFAULT_RATE}); over it, POSTs get 429. */
  rate?: RateLimit | undefined;
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
  routes(app, hub, opts);
  const [h, p] = splitHostPort(addr);
  const host = h || '127.0.0.1';
  const port = Number(p);
  await app.listen({ host, port });
  const a = app.server.address();
  const bound = typeof a === 'object' && a !== null ? a : { address: host, port };
  return { url: `http://${joinHostPort(bound.address, String(bound.port))}/`, close: () => app.close() };
}

function routes(app: FastifyInstance, hub: Hub, opts: WebOptions): void {
  const dir = publicDir();
  for (const [path, file] of Object.entries(STATIC)) {
    const body = readFileSync(dir + file);
    const type = TYPES[file.slice(file.lastIndexOf('.') + 1)]!;
    app.get(path, async (_req, reply) => reply.headers(SECURITY_HEADERS).type(type).header('cache-control', 'no-cache').send(body));
  }

  app.post<{ Body: { nick?: unknown; room?: unknown } }>('/api/session', async (req, reply) => {
    const nick = typeof req.body?.nick === 'string' ? sanitize(req.body.nick) : '';
    const room = typeof req.body?.room === 'string' ? sanitize(req.body.room) : LOBBY;
    const client = new Client('web', req.ip, opts.outboxSize);
    const attached = chan<void>();
    const hangUp = chan<void>();
    client.hangUp = () => hangUp.close();
    sessions.set(client, { attached, hangUp, bucket: new TokenBucket(opts.rate ?? DEFAULT_RATE) });
    const answer = chan<Refusal | null>(1);
    if (!(await hub.send({ op: 'connect', client, nick, room: room || LOBBY, reply: answer }))) {
      return reply.code(503).send({ error: 'server shutting down' });
    }
    const refused = await answer.recv();
    if (refused) return reply.code(refused.code === 'taken' ? 409 : 400).send({ error: refused.message });
    // Receiving the reply means the hub has set client.nick/room (channel happens-before).
    app.strand.go(watchAttach, hub, client, attached, app.strand.context);
    return reply.code(201).send({ token: client.token, nick: client.nick, room: client.room });
  });

  app.get<{ Querystring: { token?: string } }>('/api/events', async (req, reply) => {
    const client = await lookup(hub, req.query.token);
    const s = client && sessions.get(client);
    if (!client || !s) return reply.code(404).send({ error: 'no such session' });
    // Only one stream per session. Check-then-close has no await between, so it is atomic.
    if (s.attached.closed) return reply.code(409).send({ error: 'this session already has an event stream' });
    s.attached.close();
    await reply.sse(client.outbox, { encode: (ev) => ev.json, done: s.hangUp });
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
    if (!sessions.get(client)?.bucket.tryTake()) return reply.code(429).send({ error: 'too many messages; slow down' });
    const cmd = parseLine(text);
    if (cmd !== null && !(await hub.send({ ...cmd, client }))) return reply.code(503).send({ error: 'server shutting down' });
    return reply.code(204).send();
  });
}

/** Per web client: closed when its stream attaches; closed to end its stream (hub drops it). */
interface Session {
  attached: Chan<void>;
  hangUp: Chan<void>;
  /** Rate limit of the session's POSTs. */
  bucket: TokenBucket;
}
/** Sessions by client; touched only by this module's handlers (one JavaScript thread). */
const sessions = new WeakMap<Client, Session>();

async function lookup(hub: Hub, token: string | undefined): Promise<Client | null> {
  if (typeof token !== 'string' || token === '') return null;
  const reply = chan<Client | null>(1);
  if (!(await hub.send({ op: 'lookup', token, reply }))) return null;
  return (await reply.recv()) ?? null;
}

/** Drops a session whose page never opened its event stream. */
async function watchAttach(hub: Hub, client: Client, attached: Chan<void>, ctx: Context): Promise<void> {
  const i = await select([recvCase(attached), recvCase(after(ATTACH_TIMEOUT_MS)), recvCase(hub.done), recvCase(ctx.done())]);
  if (i === 1) await hub.send({ op: 'disconnect', client, reason: 'never opened its event stream' });
}
