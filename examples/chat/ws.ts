/**
 * The web side's WebSocket transport: `GET /api/ws?token=…` carries a session's events (the
 * same JSON as the SSE stream, one text message each) and its lines (one text message each,
 * parsed exactly like a TCP line or a POST to /api/send) over one connection. The page uses it
 * when the browser has WebSocket and falls back to SSE + POST otherwise (or with `?transport=sse`).
 *
 * The same rules as the other /api/ routes: the session comes from POST /api/session (admission
 * limits), the request passes the cross-site hook (web.ts; the upgrade goes through Fastify's
 * hooks) and strand's own same-origin check, one stream per session, the same rate limits and
 * line limits; a refused line gets an `error` event instead of an HTTP status.
 *
 * Two goroutines per connection, as in Go: this route's handler reads lines; `pump` writes the
 * client's outbox (parking while the browser does not read: the hub drops a client whose outbox
 * fills, and `hangUp` then ends the pump, which closes the connection).
 *
 * @module
 */

import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { chan, go, recvCase, select } from 'strand';
import type { WebSocketConn } from 'strand/fastify';
import type { Client } from './client.js';
import { parseLine } from './commands.js';
import type { Hub } from './hub.js';
import { isQuery } from './ratelimit.js';
import type { Session, Sessions } from './sessions.js';
import { MAX_LINE_BYTES } from './validate.js';

/** Adds `GET /api/ws` to the web app (called by web.ts's routes). */
export function wsRoutes(app: FastifyInstance, hub: Hub, sessions: Sessions, log: Logger): void {
  app.strand.websocket(
    '/api/ws',
    async (conn, req) => {
      const token = (req.query as { token?: unknown }).token;
      const client = await lookup(hub, typeof token === 'string' ? token : undefined);
      const s = client && sessions.get(client);
      if (!client || !s) return conn.close(4404, 'no such session');
      if (s.attached.closed) return conn.close(4409, 'this session already has an event stream');
      s.attached.close();
      s.lastActive = performance.now();
      go(pump, conn, client, s);
      for (let m = await conn.readMessage(); m !== null; m = await conn.readMessage()) {
        if (m.type !== 'text') {
          conn.close(1003, 'text messages only');
          break;
        }
        const err = await line(hub, client, s, m.data);
        if (err !== null) await conn.writeMessage('text', JSON.stringify({ type: 'error', text: err }));
      }
      log.debug({ client: client.id }, 'web socket closed');
      sessions.delete(client);
      await hub.send({ op: 'disconnect', client, reason: 'connection closed' });
    },
    // A line is at most MAX_LINE_BYTES; a little room for UTF-8 checks before the byte check.
    { maxPayload: MAX_LINE_BYTES + 1024, pingInterval: 30_000 },
  );
}

/** One line from the browser, with /api/send's rules. @returns null, or why it was refused. */
async function line(hub: Hub, client: Client, s: Session, text: string): Promise<string | null> {
  if (Buffer.byteLength(text) > MAX_LINE_BYTES) return `line too long (max ${MAX_LINE_BYTES} bytes); it was not sent`;
  if (/[\r\n]/.test(text)) return 'one line at a time';
  if (!s.bucket.tryTake()) return 'too many messages; slow down';
  const cmd = parseLine(text);
  if (cmd !== null && isQuery(cmd.op) && !s.queries.tryTake()) return 'too many /rooms, /who or /help; slow down';
  s.lastActive = performance.now();
  if (cmd !== null && !(await hub.send({ ...cmd, client }))) return 'server shutting down';
  return null;
}

/** Writes the client's outbox to the socket until it is closed or the hub hangs up. */
async function pump(conn: WebSocketConn, client: Client, s: Session): Promise<void> {
  const got = recvCase(client.outbox);
  const cases = [got, recvCase(s.hangUp)];
  try {
    for (;;) {
      if ((await select(cases)) !== 0 || !got.ok) break;
      const ev = got.value!;
      client.took(ev);
      await conn.writeMessage('text', ev.json);
    }
  } catch {
    // the connection ended under a parked write
  }
  conn.close(1000, 'bye');
}

async function lookup(hub: Hub, token: string | undefined): Promise<Client | null> {
  if (token === undefined || token === '') return null;
  const reply = chan<Client | null>(1);
  if (!(await hub.send({ op: 'lookup', token, reply }))) return null;
  return (await reply.recv()) ?? null;
}
