/**
 * strand/http: Go's net/http on node:http and undici.
 *
 * Server: {@link serve}, {@link listenAndServe}, {@link Server} (graceful `shutdown`), handlers
 * that run as goroutines with a blocking-style {@link Request} body and a {@link ResponseWriter}
 * that parks on backpressure, {@link ServeMux} with Go 1.22 patterns, Server-Sent Events from a
 * channel ({@link serveSSE}). Client: {@link get}, {@link post}, {@link doRequest} on undici,
 * cancelled by a context. The Fastify plugin is a separate entry point, `strand/fastify`.
 *
 * @module
 */
export { Server, type ServerOptions } from './server.js';
export { serve, listenAndServe } from './serve.js';
export { Request } from './request.js';
export { ResponseWriter, ResponseHeader } from './response.js';
export { BodyReader } from './body.js';
export { ServeMux, cleanPath } from './mux.js';
export type { Handler, HandlerFunc, HandlerLike } from './handler.js';
export type { SocketListener } from './_listener.js';
export { defaultLogger } from './logger.js';
export { HttpError, MaxBytesError, ErrServerClosed, ErrClientGone, httpCodes } from './errors.js';
export { serveSSE, sse, formatEvent, type SSEOptions } from './sse.js';
export {
  Client,
  ClientError,
  ClientResponse,
  defaultClient,
  get,
  post,
  doRequest,
  type ClientRequest,
  type ClientOptions,
  type RequestOptions,
} from './client.js';
