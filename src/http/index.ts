/**
 * strand/http: Go's net/http on node:http and undici.
 *
 * Server: {@link serve}, {@link listenAndServe}, {@link Server} (graceful `shutdown`), handlers
 * that run as goroutines with a blocking-style {@link Request} body and a {@link ResponseWriter}
 * that parks on backpressure, {@link ServeMux} with Go 1.22 patterns, Server-Sent Events from a
 * channel ({@link serveSSE}). Client: {@link get}, {@link post}, {@link doRequest} on undici,
 * cancelled by a context. The Fastify plugin is a separate entry point, `strand/fastify`.
 *
 * ## What this layer may use
 * Each layer knows only the one below it, and only through its front door:
 * - **Other layers: public entry points only.** src/http imports the runtime from
 *   `../runtime/index.js` (what `strand` exports) and net from `../net/index.js` (what
 *   `strand/net` exports) — never a deep path into another layer's files, never another layer's
 *   internals. If http needs something those entry points do not offer, it is added there
 *   first, as public API, or not used. Node (node:http, node:net types), undici, Fastify and
 *   pino are used directly: they are what this layer is built on.
 * - **Blocking: the user-level runtime first.** Goroutines, channels, select, context, sync and
 *   time, as a user's program would use them. The park/ready contract (`Waiter`, `park`,
 *   `ready`, `readyError`, `immediate`) is imported by one file, `_wait.ts`: node:http and
 *   undici own their sockets, so their readiness ('drain', 'readable', an undici response)
 *   reaches a goroutine there (`IOWait`, wait reason "IO wait") — the part net/poll plays for
 *   strand/net. The other files park only through `IOWait`, and take `immediate` (the at-once
 *   path of a blocking call) from `_wait.ts` too.
 * - **Internals: one mechanism.** A class keeps its state `#private`. A member another file of
 *   this layer must reach is keyed by a symbol from `_symbols.ts` and marked `@internal` (kept
 *   out of the published types by `stripInternal`); a function another file needs is exported
 *   `@internal` from the file of its concept. This file re-exports neither.
 * - **Errors: one table.** Every error src/http throws carries a code from `httpCodes`
 *   (errors.ts), built there.
 * - **No import cycles.** A Request needs its server only through `RequestHost` (request.ts);
 *   handler.ts, request.ts and response.ts import nothing from server.ts.
 *
 * @module
 */
export { Server } from './server.js';
export {
  type ServerOptions,
  DEFAULT_READ_HEADER_TIMEOUT,
  DEFAULT_READ_TIMEOUT,
  DEFAULT_IDLE_TIMEOUT,
  DEFAULT_MAX_HEADER_BYTES,
  DEFAULT_MAX_BODY_BYTES,
} from './options.js';
export { serve, listenAndServe, listenAndServeTLS } from './serve.js';
export { Request } from './request.js';
export { ResponseWriter, ResponseHeader } from './response.js';
export { BodyReader } from './body.js';
export { ServeMux, cleanPath } from './mux.js';
export type { Handler, HandlerFunc, HandlerLike } from './handler.js';
export type { SocketListener } from './listener.js';
export { defaultLogger } from './logger.js';
export { HttpError, MaxBytesError, ClientError, ErrServerClosed, ErrClientGone, WebSocketHandshakeError, httpCodes } from './errors.js';
export * as websocket from './websocket/index.js';
export { WebSocketConn, type Message } from './websocket/conn.js';
export { serveSSE, sse, formatEvent, type SSEOptions } from './sse.js';
export {
  Client,
  ClientResponse,
  defaultClient,
  get,
  post,
  doRequest,
  type ClientRequest,
  type ClientOptions,
  type RequestOptions,
} from './client.js';
export { debugHandler, registerDebug, listenDebug, isLoopbackHost, LIVE_EVENTS_PATH, type DebugOptions } from './debug.js';
export { groupGoroutines, formatGroups, formatTraceback, profileJSON, type GoroutineGroup } from './debug-profile.js';
export { registerRuntimeMetrics, scrapeMetrics } from './debug-metrics.js';
export { liveFeed, liveSnapshot, type LiveSnapshot } from './debug-live.js';
