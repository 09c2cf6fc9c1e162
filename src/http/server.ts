/**
 * The HTTP server (Go's `http.Server`) on node:http.
 *
 * Design: node:http parses (llhttp), keeps connections alive and enforces header and request
 * timeouts; strand adds the Go model on top. One goroutine per listener runs the accept loop
 * (`listener.acceptSocket()`, then `emit('connection', socket)` on a node:http Server that never
 * listens itself); every request runs its handler in its own goroutine.
 *
 * Request dispatch is the hot path: it allocates the Request, the ResponseWriter and the
 * goroutine, and nothing else — the handler is called through module-level functions, and a
 * synchronous handler never allocates a promise. The context, URL object and body reader are
 * built only when a handler asks for them.
 *
 * Internals: the public {@link Server} is a facade over a `ServerState` private to this module
 * (Go's unexported fields): the hot path and the accept loop are module-level functions that
 * take the state, and Requests see it only through the small `RequestHost` interface.
 *
 * Invariants (all fields are touched on the one JavaScript thread, by this module only):
 * - `active` counts handler goroutines that have started and not finished.
 * - `conns` holds every connection handed to node:http and not yet closed.
 * - Once `inShutdown` is set it stays set: no new connection is accepted, every response that
 *   has not sent its headers gets `Connection: close`, and the base context is cancelled.
 *
 * @module
 */

import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { type CancelCauseFunc, type Context, background, chan, go, recvCase, select, withCancelCause } from '../runtime/index.js';
import { listen, tls } from '../net/index.js';
import { ErrServerClosed, HttpError, MaxBytesError, WebSocketHandshakeError, errShutdownInterrupted, httpCodes, isConnGone } from './errors.js';
import { type HandlerFunc, type HandlerLike, toHandlerFunc } from './handler.js';
import type { SocketListener } from './listener.js';
import { defaultLogger, type Logger } from './logger.js';
import {
  type ServerOptions,
  DEFAULT_IDLE_TIMEOUT,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_HEADER_BYTES,
  DEFAULT_READ_HEADER_TIMEOUT,
  DEFAULT_READ_TIMEOUT,
} from './options.js';
import { Request, type RequestHost } from './request.js';
import { ResponseWriter } from './response.js';
import { upgradeResponse } from './websocket/accept.js';
import * as sym from './_symbols.js';

export type { ServerOptions };

// Module-local copies of the layer's symbols: a keyed access through an imported binding is a
// slow generic one in V8 (see _symbols.ts).
const kFinish: typeof sym.kFinish = sym.kFinish;
const kHandlerDone: typeof sym.kHandlerDone = sym.kHandlerDone;
const kReset: typeof sym.kReset = sym.kReset;
const kServer: typeof sym.kServer = sym.kServer;
const kUnreadContinue: typeof sym.kUnreadContinue = sym.kUnreadContinue;

function notFound(w: ResponseWriter): void {
  w.writeHeader(404);
  w.header().set('Content-Type', 'text/plain; charset=utf-8');
  w.write('404 page not found\n');
}

/**
 * Everything a running server keeps, private to this module (the {@link Server} facade holds it
 * in a `#private` field). The hot path takes it as its first argument.
 */
class ServerState implements RequestHost {
  readonly maxBodyBytes: number;
  readonly baseCtx: Context;
  readonly cancelBase: CancelCauseFunc;
  readonly logger: Logger;
  readonly handler: HandlerFunc;
  readonly writeTimeout: number;
  /** The node:http server: parses, keeps connections alive, enforces header/request timeouts. */
  readonly http: http.Server;
  /** Logs a superfluous writeHeader (bound once, handed to every ResponseWriter). */
  readonly superfluous: (w: ResponseWriter, code: number) => void;
  active = 0;
  reqSeq = 0;
  inShutdown = false;
  readonly conns = new Set<Socket>();
  readonly listeners = new Set<SocketListener>();

  constructor(opts: ServerOptions, logger: Logger, maxBodyBytes: number) {
    this.maxBodyBytes = maxBodyBytes;
    this.logger = logger;
    this.handler = opts.handler === undefined ? notFound : toHandlerFunc(opts.handler);
    this.writeTimeout = opts.writeTimeout ?? 0;
    this.superfluous = (w, code) => logger.warn(`http: superfluous response.writeHeader call (status ${w.status}, then ${code})`);
    const [ctx, cancel] = withCancelCause(background());
    this.baseCtx = ctx;
    this.cancelBase = cancel;

    const requestTimeout = opts.readTimeout ?? DEFAULT_READ_TIMEOUT;
    let headersTimeout = opts.readHeaderTimeout ?? DEFAULT_READ_HEADER_TIMEOUT;
    if (requestTimeout > 0 && (headersTimeout > requestTimeout || headersTimeout === 0)) headersTimeout = requestTimeout;
    const smallest = Math.min(headersTimeout || Infinity, requestTimeout || Infinity);
    const httpOpts: http.ServerOptions = {
      requestTimeout,
      headersTimeout,
      keepAliveTimeout: opts.idleTimeout ?? DEFAULT_IDLE_TIMEOUT,
      connectionsCheckingInterval: Math.max(10, Math.min(30_000, Math.floor(smallest / 4))),
      maxHeaderSize: opts.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES,
      noDelay: true,
    };
    const st = this;
    this.http = http.createServer(httpOpts, function onRequest(req, res) {
      dispatch(st, req, res, false);
    });
    // With a 'checkContinue' listener node:http no longer answers `Expect: 100-continue` itself:
    // the request's first body read does (Go's rule), so a handler that never reads (a 404, a
    // 401) never invites the client to send its body.
    this.http.on('checkContinue', function onCheckContinue(req: http.IncomingMessage, res: http.ServerResponse) {
      dispatch(st, req, res, true);
    });
    // Upgrade requests (WebSocket) go through the same handler, on a response that owns the
    // socket; `websocket.accept` takes it over (websocket/accept.ts).
    this.http.on('upgrade', function onUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer) {
      dispatch(st, req, upgradeResponse(req, socket, head), false);
    });
    // node:http tracks connections (header/request timeouts, idle detection) from 'listening'
    // on; this server never listens itself, so announce it.
    this.http.emit('listening');
  }

  beginShutdown(): void {
    if (this.inShutdown) return;
    this.inShutdown = true;
    for (const l of this.listeners) {
      try {
        const p = l.close();
        if (p instanceof Promise) p.catch(() => {});
      } catch {
        // already closed
      }
    }
    this.cancelBase(ErrServerClosed);
  }

  /** True when no connection has response bytes waiting to be written. */
  flushed(): boolean {
    for (const s of this.conns) if (s.writableLength > 0 && !s.destroyed) return false;
    return true;
  }

  destroyAll(): void {
    this.http.closeAllConnections();
    for (const s of this.conns) s.destroy();
    this.conns.clear();
  }

  /**
   * Recovers from a handler error (Go's per-request panic recovery). A write to a gone client
   * (`STRAND_ERR_CLIENT_GONE`, `STRAND_ERR_WRITE_CANCELED`) is an error value the handler chose
   * not to handle, not a panic: debug level, and the connection is closed.
   */
  recover(w: ResponseWriter, r: Request, err: unknown): void {
    const res = w.raw;
    let status = 500;
    if (isConnGone(err)) {
      this.logger.debug({ reqId: r.id, code: (err as HttpError).code }, `http: response to ${r.remoteAddr} abandoned: ${(err as Error).message}`);
      res.destroy();
      return;
    }
    if (err instanceof MaxBytesError) status = 413;
    else if (err instanceof WebSocketHandshakeError) status = err.statusCode;
    else if (err instanceof HttpError && err.code === httpCodes.BODY) status = 400;
    if (status === 500) {
      this.logger.error(
        { err, reqId: r.id, method: r.method, url: r.requestURI },
        `http: panic serving ${r.remoteAddr}: ${err instanceof Error ? err.message : String(err)}`,
      );
    } else {
      this.logger.debug({ err, reqId: r.id, status }, `http: request error: ${(err as Error).message}`);
    }
    if (res.headersSent || res.destroyed) {
      // Part of the response is out: the only honest signal left is to cut the connection.
      res.destroy();
      return;
    }
    w[kReset](status, `${http.STATUS_CODES[status]}\n`);
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (status === 413) res.setHeader('Connection', 'close');
  }
}

/**
 * An HTTP server. Create it with options, then `serve(listener)` or `listenAndServe()`; stop it
 * with `shutdown(ctx)` (graceful) or `close()` (immediate).
 *
 * Deviations from Go, on purpose: `serve` resolves (rather than returning `ErrServerClosed`)
 * when the server was shut down or closed; and `shutdown` cancels every in-flight request's
 * context (cause `ErrServerClosed`), so long-poll and SSE handlers end promptly — a handler that
 * ignores its context still completes normally.
 *
 * @example
 * ```ts
 * const srv = new Server({ handler: mux, readHeaderTimeout: 5 * Second });
 * go(async () => { await srv.listenAndServe(); });
 * process.once('SIGTERM', () => go(async () => {
 *   const [ctx, cancel] = withTimeout(background(), 10 * Second);
 *   await srv.shutdown(ctx); cancel();
 * }));
 * ```
 */
export class Server {
  /** The address `listenAndServe` listens on. */
  readonly addr: string;
  /** The logger. */
  readonly logger: Logger;
  /** The request body limit in bytes. */
  readonly maxBodyBytes: number;
  /** The TLS configuration `listenAndServe` uses, or null (plain HTTP). */
  readonly #tls: tls.Config | null;
  readonly #st: ServerState;

  constructor(opts: ServerOptions = {}) {
    this.addr = opts.addr ?? ':80';
    this.logger = opts.logger ?? defaultLogger();
    this.maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.#tls = opts.tls ?? null;
    this.#st = new ServerState(opts, this.logger, this.maxBodyBytes);
  }

  /**
   * Accepts connections on `listener` and serves each request with the handler, each in its own
   * goroutine. One goroutine runs the accept loop. Can be called for several listeners.
   *
   * @returns a promise that resolves once the server was shut down or closed, and rejects with
   *   the accept error if the listener failed (e.g. was closed by someone else).
   * @throws (rejects) {@link ErrServerClosed} if the server is already shut down.
   */
  serve(listener: SocketListener): Promise<void> {
    const st = this.#st;
    if (st.inShutdown) return Promise.reject(ErrServerClosed);
    st.listeners.add(listener);
    return new Promise<void>((resolve, reject) => {
      go(acceptLoop, st, listener, resolve, reject);
    });
  }

  /**
   * Listens on TCP `addr` (default `this.addr`) and serves, like {@link serve}; with the `tls`
   * option, HTTPS (a `tls.listen` listener, ALPN `http/1.1` unless the config says otherwise).
   *
   * @throws (rejects) the listen error (address in use, a TLS config without certificate...).
   */
  async listenAndServe(addr: string = this.addr): Promise<void> {
    if (this.#st.inShutdown) throw ErrServerClosed;
    const c = this.#tls;
    const l = c === null ? await listen('tcp', addr) : await tls.listen('tcp', addr, c.nextProtos === undefined && c.ALPNProtocols === undefined ? { ...c, nextProtos: ['http/1.1'] } : c);
    return this.serve(l);
  }

  /**
   * Listens on TCP `addr` (default `this.addr`) and serves HTTPS with the certificate chain and
   * key in the PEM files `certFile` and `keyFile` (Go's `Server.ListenAndServeTLS`), added to
   * the `tls` option if any.
   *
   * @throws (rejects) a file that cannot be read, the listen error.
   */
  async listenAndServeTLS(certFile: string, keyFile: string, addr: string = this.addr): Promise<void> {
    if (this.#st.inShutdown) throw ErrServerClosed;
    const certificates = [{ cert: readFileSync(certFile), key: readFileSync(keyFile) }];
    const c: tls.Config = { ...this.#tls, certificates };
    const l = await tls.listen('tcp', addr, c.nextProtos === undefined && c.ALPNProtocols === undefined ? { ...c, nextProtos: ['http/1.1'] } : c);
    return this.serve(l);
  }

  /** Number of requests whose handler is running. */
  get activeRequests(): number {
    return this.#st.active;
  }

  /**
   * Graceful shutdown (Go's `Server.Shutdown`): stops accepting, cancels in-flight request
   * contexts (cause {@link ErrServerClosed}), closes idle keep-alive connections, waits for every
   * in-flight handler to finish and its response to be flushed, then closes the remaining
   * connections. If `ctx` is done first, every connection is closed at once and the promise
   * rejects with `ctx.err()`.
   *
   * @param ctx - bounds the wait (e.g. `withTimeout(background(), 10 * Second)`); default: no bound.
   */
  async shutdown(ctx: Context = background()): Promise<void> {
    const st = this.#st;
    st.beginShutdown();
    let interval = 1;
    const done = recvCase(ctx.done());
    for (;;) {
      st.http.closeIdleConnections();
      if (st.active === 0 && st.flushed()) break;
      // Go polls with a growing interval too (net/http's shutdownPollIntervalMax is 500 ms).
      const tick = chan<void>(1);
      const t = setTimeout(() => tick.trySend(undefined), interval);
      const i = await select([recvCase(tick), done]);
      clearTimeout(t);
      if (i === 1) {
        st.destroyAll();
        st.http.close();
        throw ctx.err() ?? errShutdownInterrupted();
      }
      interval = Math.min(interval * 2, 100);
    }
    st.destroyAll();
    st.http.close();
  }

  /**
   * Immediate close (Go's `Server.Close`): stops accepting and closes every connection, in-flight
   * or idle. Handlers still running see their context cancelled and their writes fail.
   */
  close(): void {
    const st = this.#st;
    st.beginShutdown();
    st.destroyAll();
    st.http.close();
  }

  /**
   * Closes the server when an `await using` scope ends, as {@link close} does (Go's
   * `defer srv.Close()`): immediate, not graceful — for a graceful stop, `await srv.shutdown(ctx)`
   * before the scope ends (disposing a shut-down server does nothing more). Resolves at once.
   *
   * @example
   * ```ts
   * await using srv = serve(await listen('tcp', '127.0.0.1:0'), handler);
   * ```
   */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }
}

// ---- hot path (module-level functions: no closure per request) ------------------------------

function dispatch(st: ServerState, req: http.IncomingMessage, res: http.ServerResponse, expect: boolean): void {
  const r = new Request(st, req, res, ++st.reqSeq, expect);
  // The Request is the writer's context source: its context is built only if a write parks.
  const w = new ResponseWriter(res, st.superfluous, r);
  st.active++;
  if (st.inShutdown) res.setHeader('Connection', 'close');
  go(serveRequest, st, w, r);
}

/** The goroutine of one request: runs the handler, recovers, ends the response. */
function serveRequest(st: ServerState, w: ResponseWriter, r: Request): Promise<void> | undefined {
  let timer: NodeJS.Timeout | null = null;
  if (st.writeTimeout > 0) timer = setTimeout(onWriteTimeout, st.writeTimeout, w.raw);
  let p: Promise<void> | void;
  try {
    p = st.handler(w, r);
  } catch (err) {
    st.recover(w, r, err);
    finish(st, w, r, timer);
    return;
  }
  if (p !== undefined && p !== null && typeof (p as Promise<void>).then === 'function') {
    return awaitHandler(st, w, r, p as Promise<void>, timer);
  }
  finish(st, w, r, timer);
}

async function awaitHandler(st: ServerState, w: ResponseWriter, r: Request, p: Promise<void>, timer: NodeJS.Timeout | null): Promise<void> {
  try {
    await p;
  } catch (err) {
    st.recover(w, r, err);
  }
  finish(st, w, r, timer);
}

function finish(st: ServerState, w: ResponseWriter, r: Request, timer: NodeJS.Timeout | null): void {
  r[kHandlerDone]();
  const res = w.raw;
  if ((st.inShutdown || r[kUnreadContinue]) && !res.headersSent && !res.destroyed) res.setHeader('Connection', 'close');
  w[kFinish]();
  if (timer !== null) clearTimeout(timer);
  st.active--;
}

function onWriteTimeout(res: http.ServerResponse): void {
  if (!res.writableFinished) res.socket?.destroy();
}

function untrack(this: Socket): void {
  const st = (this as unknown as Record<symbol, ServerState | undefined>)[kServer];
  if (st !== undefined) st.conns.delete(this);
}

/** The accept loop goroutine of one listener. */
async function acceptLoop(st: ServerState, l: SocketListener, resolve: () => void, reject: (e: unknown) => void): Promise<void> {
  for (;;) {
    let s: Socket;
    try {
      s = await l.acceptSocket();
    } catch (err) {
      st.listeners.delete(l);
      if (st.inShutdown) resolve();
      else reject(err);
      return;
    }
    if (st.inShutdown) {
      s.destroy();
      continue;
    }
    (s as unknown as Record<symbol, ServerState>)[kServer] = st;
    st.conns.add(s);
    s.once('close', untrack);
    st.http.emit('connection', s);
  }
}
