/**
 * WebSocket routes in the Fastify plugin: `app.strand.websocket(path, handler, opts?)`.
 *
 * Why not `@fastify/websocket`: it hands the route a `ws` socket to drive with callbacks; strand
 * wants the same blocking `WebSocketConn` (readMessage/writeMessage, backpressure, origin check,
 * limits) in Fastify as in its own server, and one code path for both. So the plugin does what
 * `@fastify/websocket` does for routing and nothing else: it listens to the node:http server's
 * 'upgrade' event and hands the request to Fastify's router (`app.routing`) with a response
 * that owns the socket (websocket/accept.ts `upgradeResponse`), so Fastify's hooks (auth,
 * rate limits...) run as for any route. The route is a GET route whose handler (a goroutine, as
 * every strand route) accepts the upgrade, hijacks the reply and runs the user's handler with
 * the connection; the connection is closed when that handler returns, and follows
 * `request.context` (closed with 1001 on `app.close()`). A plain GET to the path gets 426; a
 * refused origin 403 (the error's `statusCode`, through Fastify's error handler).
 *
 * @module
 */

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Duplex } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { acceptRaw, upgradeResponse, type AcceptOptions } from '../websocket/accept.js';
import type { WebSocketConn } from '../websocket/conn.js';

/** A WebSocket route's handler: runs as a goroutine with the accepted connection. */
export type WebSocketRouteHandler = (conn: WebSocketConn, request: FastifyRequest) => unknown;

const kUpgradeListener = Symbol('strand.fastify.upgradeListener');
type Listening = FastifyInstance & { [kUpgradeListener]?: true };

/**
 * @internal Registers a WebSocket route on `app` (the plugin's `app.strand.websocket`).
 */
export function websocketRoute(app: FastifyInstance, path: string, handler: WebSocketRouteHandler, opts: AcceptOptions = {}): void {
  const a = app as Listening;
  if (a[kUpgradeListener] !== true) {
    a[kUpgradeListener] = true;
    app.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      app.routing(req, upgradeResponse(req, socket, head));
    });
  }
  app.get(path, async function strandWebSocket(request: FastifyRequest, reply: FastifyReply) {
    const conn = acceptRaw(request.raw, reply.raw, request.context, opts);
    reply.hijack();
    try {
      await handler(conn, request);
    } finally {
      conn.close();
    }
  });
}
