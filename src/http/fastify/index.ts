/**
 * strand/fastify: the Fastify plugin. Route handlers run as goroutines, each request gets a
 * runtime Context, replies can stream a channel as Server-Sent Events, and background goroutines
 * started through the app are cancelled and awaited when the app closes.
 *
 * ```ts
 * import { fastify } from 'fastify';
 * import { strand } from 'strand/fastify';
 *
 * const app = fastify();
 * await app.register(strand);
 * app.get('/wait', async (request) => {
 *   const i = await select([recvCase(updates), recvCase(request.context.done())]);
 *   return i === 0 ? { update: ... } : undefined;
 * });
 * app.get('/events', (request, reply) => reply.sse(events, { event: 'update' }));
 * app.strand.go(janitor); // tied to the app; app.strand.context is cancelled on close
 * ```
 *
 * What it adds (fastify-plugin, name "strand", fastify 5.x; it does not encapsulate, so it
 * applies to the scope it is registered in and every child scope):
 * - **Handlers as goroutines**: every route declared after `register(strand)` in that scope runs
 *   its handler in its own goroutine (visible in the goroutine dump, like net/http handlers).
 *   Opt a route out with `config: { strand: false }`. Errors, thrown or rejected, go to Fastify's
 *   error handler as usual; nothing is swallowed.
 * - **`request.context`**: a runtime Context, cancelled when the client disconnects before the
 *   response is finished (cause `ErrClientGone`), when the response ends, and when the app
 *   closes (cause `ErrServerClosed`). Its `signal` is an AbortSignal for undici/fetch. It is a
 *   lazy getter decorator: requests that never read it pay nothing (its two slots, keyed by
 *   private symbols, are declared with `decorateRequest(symbol, null)` so request objects keep one
 *   shape; the route wrapper fills the reply slot, so in hooks that run before the handler, and
 *   in routes opted out, the context is cancelled by app.close() but not by a client abort).
 * - **`reply.sse(ch, opts)`**: hijacks the reply and streams every value received on `ch` as an
 *   SSE event until `ch` closes, the client leaves, the app closes, or `opts.done` is closed.
 *   Writes park on backpressure (at most 16 KiB plus one event queued per client); a parked write
 *   ends when the stream is stopped (client gone, app close, `done`), and the connection is then
 *   closed, so a client that never reads cannot hold `app.close()` or memory. Resolves when the
 *   stream ended.
 * - **`app.strand.go(fn, ...args)`** (also `app.go`): a background goroutine tied to the app.
 *   On `app.close()`, `app.strand.context` is cancelled in a preClose hook (before Fastify waits
 *   for in-flight requests, so long-polls and streams end too; keep-alive connections are then
 *   closed as soon as they are idle), and an onClose hook waits for every such goroutine to
 *   return. As with `go`, an uncaught error in one is a panic.
 *
 * @module
 */

import type { FastifyInstance, FastifyPluginCallback, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import {
  type CancelCauseFunc,
  type CancelFunc,
  type Context,
  type RecvChan,
  WaitGroup,
  background,
  go,
  recvCase,
  select,
  withCancel,
  withCancelCause,
} from '../../runtime/index.js';
import { ErrClientGone, ErrServerClosed } from '../errors.js';
import { ResponseWriter } from '../response.js';
import type { AcceptOptions } from '../websocket/accept.js';
import type { WebSocketConn } from '../websocket/conn.js';
import { websocketRoute, type WebSocketRouteHandler } from './websocket.js';
import { type SSEOptions, framer, streamSSE } from '../sse.js';
import * as sym from '../_symbols.js';

// Module-local copies of the layer's symbols: a keyed access through an imported binding is a
// slow generic one in V8 (see _symbols.ts).
const kApp: typeof sym.kApp = sym.kApp;
const kFinish: typeof sym.kFinish = sym.kFinish;
const kReqReply: typeof sym.kReqReply = sym.kReqReply;
const kReqState: typeof sym.kReqState = sym.kReqState;
const kWrapped: typeof sym.kWrapped = sym.kWrapped;

/**
 * Options of `reply.sse`: strand/http's {@link SSEOptions} (`event`, `id`, `encode`,
 * `heartbeat`, `retry`), plus `done`.
 */
export interface ReplySSEOptions<T> extends SSEOptions<T> {
  /** Ends the stream when this channel is closed (or receives). */
  done?: RecvChan<unknown> | null;
  /**
   * The same as `encode`, which wins when both are given.
   *
   * @deprecated Use `encode` (the name `serveSSE` uses); `serialize` is kept so existing code
   * keeps working.
   */
  serialize?: (v: T) => string;
}

/** What the plugin adds to the Fastify instance, as `app.strand`. */
export interface StrandApp {
  /**
   * Starts `fn(...args)` as a goroutine tied to the app: `app.close()` cancels
   * {@link StrandApp.context} and waits for it to return.
   *
   * @returns the goroutine id.
   */
  go<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): number;
  /** The app's context: cancelled (cause `ErrServerClosed`) when the app starts closing. */
  readonly context: Context;
  /**
   * Adds a WebSocket route: upgrades to GET `path` go through Fastify's router and hooks, then
   * `handler(conn, request)` runs as a goroutine with the accepted {@link WebSocketConn}
   * (closed when it returns, or with 1001 on `app.close()`). Options as strand/http's
   * `websocket.accept` (maxPayload, origin rules, keepalive...). Routes are added to the app
   * the plugin was registered on. See websocket.ts for why not `@fastify/websocket`.
   *
   * @example
   * ```ts
   * app.strand.websocket('/ws', async (conn) => {
   *   for (let m = await conn.readMessage(); m !== null; m = await conn.readMessage()) await conn.writeMessage(m.type, m.data);
   * });
   * ```
   */
  websocket(path: string, handler: WebSocketRouteHandler, opts?: AcceptOptions): void;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** strand's per-app state: background goroutines and the app context. */
    strand: StrandApp;
    /** Shorthand for `app.strand.go`. */
    go: StrandApp['go'];
  }
  interface FastifyRequest {
    /** A runtime Context cancelled on client abort, at the end of the response, and on app.close(). */
    readonly context: Context;
    /** @internal The request context's state (created on first use of `context`). */
    [kReqState]: RequestState | null;
    /** @internal The reply, set when a strand route handler starts (for client-abort detection). */
    [kReqReply]: FastifyReply | null;
  }
  interface FastifyReply {
    /** Streams every value received on `ch` as Server-Sent Events (hijacks the reply). */
    sse<T>(ch: RecvChan<T>, opts?: ReplySSEOptions<T>): Promise<void>;
  }
  interface FastifyContextConfig {
    /** `false` runs this route's handler outside a goroutine. */
    strand?: boolean;
  }
}

/** @internal The state behind `request.context` (created on first use). */
export interface RequestState {
  ctx: Context;
  cancel: CancelCauseFunc;
}

/** The plugin's per-app state, stored on the instance under `kApp`. */
interface AppState {
  ctx: Context;
  cancel: CancelCauseFunc;
  wg: WaitGroup;
}

// ---- route handlers as goroutines (module-level: no closure per request) -------------------

type RouteHandler = (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) => unknown;

// The goroutine body runs synchronously inside go(), so its result can be handed back through
// these two slots: they are written right before go() returns and read right after (a nested
// call made by the handler completes before the outer one writes them).
let lastResult: unknown = undefined;
let lastError: unknown = undefined;
let lastThrew = false;

function swallow(): void {
  // The same promise is returned to Fastify, which handles the rejection.
}

function runRoute(h: RouteHandler, self: FastifyInstance, request: FastifyRequest, reply: FastifyReply): unknown {
  let r: unknown;
  try {
    r = h.call(self, request, reply);
  } catch (err) {
    lastThrew = true;
    lastError = err;
    return undefined;
  }
  lastThrew = false;
  lastResult = r;
  if (r !== null && typeof r === 'object' && typeof (r as Promise<unknown>).then === 'function') {
    // The goroutine lives as long as the handler's promise; errors belong to Fastify.
    return (r as Promise<unknown>).then(undefined, swallow);
  }
  return undefined;
}

function wrapHandler(h: RouteHandler): RouteHandler {
  if ((h as unknown as Record<symbol, boolean>)[kWrapped] === true) return h; // e.g. Fastify's HEAD twin of a GET route
  const wrapped = function strandHandler(this: FastifyInstance, request: FastifyRequest, reply: FastifyReply): unknown {
    request[kReqReply] = reply;
    go(runRoute, h, this, request, reply);
    if (lastThrew) {
      const e = lastError;
      lastThrew = false;
      lastError = undefined;
      throw e;
    }
    const r = lastResult;
    lastResult = undefined;
    return r;
  };
  (wrapped as unknown as Record<symbol, boolean>)[kWrapped] = true;
  return wrapped;
}

// ---- request.context -----------------------------------------------------------------------

function requestContext(this: FastifyRequest): Context {
  let st = this[kReqState];
  if (st === null) {
    const app = (this.server as unknown as Record<symbol, AppState | undefined>)[kApp];
    const [ctx, cancel] = withCancelCause(app === undefined ? background() : app.ctx);
    st = this[kReqState] = { ctx, cancel };
    const reply = this[kReqReply];
    if (reply !== null) {
      const raw = reply.raw;
      if (raw.writableFinished) cancel();
      else if (raw.destroyed) cancel(ErrClientGone);
      else raw.once('close', () => cancel(raw.writableFinished ? undefined : ErrClientGone));
    }
  }
  return st.ctx;
}

// ---- reply.sse -----------------------------------------------------------------------------

/** The context a `reply.sse` stream follows: the request's, ended early by `done`. */
class StreamContext {
  readonly ctx: Context;
  readonly cancel: CancelFunc;
  constructor(ctx: Context, cancel: CancelFunc) {
    this.ctx = ctx;
    this.cancel = cancel;
  }
  context(): Context {
    return this.ctx;
  }
}

/** Ends a stream's context when its `done` channel is closed (or receives), or the stream ends. */
async function watchDone(done: RecvChan<unknown>, sc: StreamContext): Promise<void> {
  await select([recvCase(done), recvCase(sc.ctx.done())]);
  sc.cancel();
}

async function replySSE<T>(this: FastifyReply, ch: RecvChan<T>, opts: ReplySSEOptions<T> = {}): Promise<void> {
  if (this.request[kReqReply] === null) this.request[kReqReply] = this; // client-abort detection
  // The stream's context: the request's (client abort, app close), and `done`. A write parked on
  // a client that does not read fails when it ends, and the connection is closed.
  const done = opts.done ?? null;
  const [ctx, cancel] = withCancel(this.request.context);
  const sc = new StreamContext(ctx, cancel);
  if (done !== null) go(watchDone, done, sc);
  this.hijack();
  const raw = this.raw;
  for (const [k, v] of Object.entries(this.getHeaders())) if (v !== undefined) raw.setHeader(k, v as string);
  raw.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  raw.setHeader('Cache-Control', 'no-cache');
  raw.setHeader('X-Accel-Buffering', 'no');
  const w = new ResponseWriter(raw, null, sc);
  w.writeHeader(200);
  const frame = framer({ event: opts.event, id: opts.id, encode: opts.encode ?? opts.serialize });
  try {
    await streamSSE(w, ctx, ch, frame, opts, done);
  } finally {
    cancel(); // releases watchDone
    if (!raw.writableEnded && !raw.destroyed) w[kFinish]();
  }
}

// ---- the plugin ----------------------------------------------------------------------------

const plugin: FastifyPluginCallback = (app, _opts, done) => {
  const [ctx, cancel] = withCancelCause(background());
  const state: AppState = { ctx, cancel, wg: new WaitGroup() };
  const strandApp: StrandApp = {
    go(fn, ...args) {
      state.wg.add(1);
      return go(runBackground, state, fn as (...a: unknown[]) => unknown, args as unknown[]);
    },
    context: ctx,
    websocket(path, handler, opts) {
      websocketRoute(app, path, handler, opts);
    },
  };
  app.decorate('strand', strandApp);
  app.decorate('go', strandApp.go);
  (app as unknown as Record<symbol, AppState>)[kApp] = state;
  app.decorateRequest(kReqState, null);
  app.decorateRequest(kReqReply, null);
  app.decorateRequest('context', { getter: requestContext });
  app.decorateReply('sse', replySSE);
  app.addHook('onRoute', (route: RouteOptions) => {
    if (route.config?.strand === false) return;
    route.handler = wrapHandler(route.handler as RouteHandler) as RouteOptions['handler'];
  });
  let reaper: NodeJS.Timeout | null = null;
  app.addHook('preClose', (next) => {
    cancel(ErrServerClosed);
    // Requests in flight now answer (their contexts are done) on keep-alive connections that
    // node:http's one-shot closeIdleConnections() at close time has already passed over; reap
    // them as they become idle, as Go's Shutdown does, so close() does not wait for the
    // keep-alive timeout.
    if (app.server.listening && typeof app.server.closeIdleConnections === 'function') {
      reaper = setInterval(() => app.server.closeIdleConnections(), 10);
      reaper.unref();
    }
    next();
  });
  app.addHook('onClose', async () => {
    cancel(ErrServerClosed);
    if (reaper !== null) clearInterval(reaper);
    await state.wg.wait();
  });
  done();
};

async function runBackground(state: AppState, fn: (...args: unknown[]) => unknown, args: unknown[]): Promise<void> {
  try {
    await fn(...args);
  } finally {
    state.wg.done();
  }
}

/**
 * The strand Fastify plugin (register it with `app.register(strand)`). See the module docs.
 */
export const strand = fp(plugin, { name: 'strand', fastify: '5.x' });
export type { WebSocketRouteHandler, AcceptOptions, WebSocketConn };
export default strand;
export { strandDebug } from './debug.js';
