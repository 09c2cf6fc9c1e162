/**
 * The package-level entry points (Go's `http.Serve` and `http.ListenAndServe`).
 *
 * @module
 */

import type { HandlerLike } from './handler.js';
import type { SocketListener } from './listener.js';
import { Server, type ServerOptions } from './server.js';

/**
 * Serves HTTP on `listener` with `handler` (Go's `http.Serve`): one accept-loop goroutine, one
 * goroutine per request.
 *
 * @param listener - a strand/net `Listener` (from `listen('tcp', '127.0.0.1:0')`).
 * @param handler - a handler function or a {@link ServeMux}.
 * @param opts - server options (timeouts, limits, logger).
 * @returns the {@link Server}, to `shutdown()` or `close()` later; `server.serve`'s promise is
 *   not awaited here (use `new Server(...).serve(listener)` to wait for the end of serving).
 *
 * @example
 * ```ts
 * const l = await listen('tcp', '127.0.0.1:8080');
 * const srv = serve(l, (w, r) => { w.write(`hello ${r.path}\n`); });
 * ```
 */
export function serve(listener: SocketListener, handler: HandlerLike, opts: Omit<ServerOptions, 'handler'> = {}): Server {
  const srv = new Server({ ...opts, handler });
  srv.serve(listener).catch((err: unknown) => {
    srv.logger.error({ err }, `http: Serve: ${(err as Error).message}`);
  });
  return srv;
}

/**
 * Listens on the TCP address `addr` (":8080", "127.0.0.1:0") and serves with `handler` (Go's
 * `http.ListenAndServe`). Resolves when the server was shut down or closed.
 *
 * @throws (rejects) the listen error, e.g. the address is in use.
 *
 * @example
 * ```ts
 * await listenAndServe(':8080', mux);
 * ```
 */
export function listenAndServe(addr: string, handler: HandlerLike, opts: Omit<ServerOptions, 'handler' | 'addr'> = {}): Promise<void> {
  return new Server({ ...opts, handler, addr }).listenAndServe();
}

/**
 * Listens on the TCP address `addr` and serves HTTPS with the certificate chain and key in
 * `certFile` and `keyFile` (PEM), Go's `http.ListenAndServeTLS`. node:http still parses: the
 * server hands it each accepted connection as a node:tls socket whose handshake runs lazily.
 * Resolves when the server was shut down or closed.
 *
 * @throws (rejects) a file that cannot be read, the listen error.
 *
 * @example
 * ```ts
 * await listenAndServeTLS(':8443', 'cert.pem', 'key.pem', mux);
 * ```
 */
export async function listenAndServeTLS(
  addr: string,
  certFile: string,
  keyFile: string,
  handler: HandlerLike,
  opts: Omit<ServerOptions, 'handler' | 'addr'> = {},
): Promise<void> {
  return new Server({ ...opts, handler, addr }).listenAndServeTLS(certFile, keyFile);
}
