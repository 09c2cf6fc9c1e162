/**
 * The debug handler: Go's `net/http/pprof` goroutine pages, Prometheus metrics and a live view,
 * served from the runtime's data (read through `../runtime/index.js` only). Off unless mounted;
 * mount it on a loopback-only listener ({@link listenDebug}), never on a public address: it
 * shows every goroutine's function and wait, and forcing a GC is an operator's tool.
 *
 * Paths (GET and HEAD; anything else is 405):
 * - `/debug/pprof/` — an index of the pages below.
 * - `/debug/pprof/goroutine` — the goroutine profile. `?debug=1` (the default: there is no
 *   protobuf form) groups identical goroutines (state/wait reason, function, creation site) with
 *   counts, most first, in pprof's text layout; `?debug=2` lists every goroutine in Go's
 *   traceback format (the SIGQUIT dump); `?format=json` returns the same data as JSON (schema in
 *   debug-profile.ts's `profileJSON`, and in the README).
 * - `/debug/pprof/goroutineleak` — the leak profile (Go 1.26): goroutines parked on a channel or
 *   sync primitive that was garbage-collected, in the same three forms. `?gc=1` forces full
 *   collections first when the process runs with `--expose-gc`.
 * - `/metrics` — Prometheus text format (prom-client), `strand_*` names (see debug-metrics.ts).
 * - `/debug/strand/` — the live view (page, `live.js`, `live.css`, and `events`: the SSE stream
 *   of snapshots, one per `liveInterval` ms).
 *
 * @module
 */

import { attribution, goroutines, leakedGoroutines, type GoroutineInfo } from '../runtime/index.js';
import { listen, TCPAddr } from '../net/index.js';
import { isIP } from 'node:net';
import type { Handler } from './handler.js';
import type { Request } from './request.js';
import type { ResponseWriter } from './response.js';
import { ServeMux } from './mux.js';
import { Server, type ServerOptions } from './server.js';
import { serveSSE } from './sse.js';
import { formatGroups, formatTraceback, profileJSON } from './debug-profile.js';
import { debugRegistry, scrapeMetrics } from './debug-metrics.js';
import { LIVE_CSP, LIVE_CSS, LIVE_HTML, LIVE_ICON, LIVE_JS, liveFeed } from './debug-live.js';
import { errNotLoopback } from './errors.js';

/** Options of {@link debugHandler}, {@link registerDebug} and {@link listenDebug}. */
export interface DebugOptions {
  /** Milliseconds between two live-view updates (default 1000, at least 50). */
  liveInterval?: number;
}

/** @internal A computed (non-streaming) debug response. */
export interface DebugResponse {
  status: number;
  contentType: string;
  body: string;
  csp: boolean;
}

const TEXT = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

const INDEX = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>/debug/pprof/</title></head><body>
<h1>/debug/pprof/</h1><ul>
<li><a href="goroutine?debug=1">goroutine?debug=1</a> — goroutines grouped by state, function and creation site</li>
<li><a href="goroutine?debug=2">goroutine?debug=2</a> — every goroutine (Go's traceback format)</li>
<li><a href="goroutine?format=json">goroutine?format=json</a> — the same as JSON</li>
<li><a href="goroutineleak?debug=1">goroutineleak?debug=1</a> — goroutines that can never be woken</li>
<li><a href="../../metrics">/metrics</a> — Prometheus text format</li>
<li><a href="../strand/">/debug/strand/</a> — live view</li>
</ul></body></html>
`;

function profile(name: 'goroutine' | 'goroutineleak', list: GoroutineInfo[], q: URLSearchParams): DebugResponse {
  if (q.get('format') === 'json') return { status: 200, contentType: JSON_TYPE, body: profileJSON(name, list, attribution()), csp: false };
  const body = q.get('debug') === '2' ? formatTraceback(list) : formatGroups(`${name} profile`, list);
  return { status: 200, contentType: TEXT, body, csp: false };
}

/**
 * @internal The response for `path` (relative to the server's root), or null when the path is
 * not one of the debug pages. The live view's `events` stream is not here (see {@link liveFeed}).
 */
export async function debugResponse(path: string, q: URLSearchParams): Promise<DebugResponse | null> {
  switch (path) {
    case '/debug/pprof/':
      return { status: 200, contentType: 'text/html; charset=utf-8', body: INDEX, csp: true };
    case '/debug/pprof/goroutine':
      return profile('goroutine', goroutines(), q);
    case '/debug/pprof/goroutineleak':
      return profile('goroutineleak', await leakedGoroutines({ gc: q.get('gc') === '1' }), q);
    case '/metrics':
      return { status: 200, contentType: debugRegistry().contentType, body: await scrapeMetrics(debugRegistry()), csp: false };
    case '/debug/strand/':
      return { status: 200, contentType: 'text/html; charset=utf-8', body: LIVE_HTML, csp: true };
    case '/debug/strand/live.js':
      return { status: 200, contentType: 'text/javascript; charset=utf-8', body: LIVE_JS, csp: true };
    case '/debug/strand/favicon.svg':
      return { status: 200, contentType: 'image/svg+xml', body: LIVE_ICON, csp: true };
    case '/debug/strand/live.css':
      return { status: 200, contentType: 'text/css; charset=utf-8', body: LIVE_CSS, csp: true };
    default:
      return null;
  }
}

/** The path of the live view's SSE stream. */
export const LIVE_EVENTS_PATH = '/debug/strand/events';

class DebugHandler implements Handler {
  readonly #interval: number;
  constructor(opts: DebugOptions) {
    this.#interval = opts.liveInterval ?? 1000;
  }

  async serveHTTP(w: ResponseWriter, r: Request): Promise<void> {
    const h = w.header();
    if (r.method !== 'GET' && r.method !== 'HEAD') {
      h.set('Allow', 'GET, HEAD');
      w.writeHeader(405);
      await w.write('method not allowed\n');
      return;
    }
    h.set('X-Content-Type-Options', 'nosniff');
    h.set('Cache-Control', 'no-store');
    if (r.path === LIVE_EVENTS_PATH) {
      h.set('Content-Security-Policy', LIVE_CSP);
      await serveSSE(w, r, liveFeed(r.context(), this.#interval), { event: 'snapshot' });
      return;
    }
    if (r.path === '/debug/strand') {
      h.set('Location', '/debug/strand/');
      w.writeHeader(301);
      return;
    }
    const res = await debugResponse(r.path, r.url.searchParams);
    if (res === null) {
      h.set('Content-Type', TEXT);
      w.writeHeader(404);
      await w.write(r.path.startsWith('/debug/pprof/') ? 'Unknown profile\n' : '404 page not found\n');
      return;
    }
    h.set('Content-Type', res.contentType);
    if (res.csp) h.set('Content-Security-Policy', LIVE_CSP);
    w.writeHeader(res.status);
    await w.write(res.body);
  }
}

/**
 * A handler serving the debug pages (see this module's path list), to mount with
 * {@link registerDebug} or on a ServeMux of your own at `/debug/pprof/`, `/debug/strand/` and
 * `/metrics`. It answers by the request's full path.
 *
 * @example
 * ```ts
 * const mux = new ServeMux();
 * mux.handle('/debug/pprof/', debugHandler());
 * ```
 */
export function debugHandler(opts: DebugOptions = {}): Handler {
  return new DebugHandler(opts);
}

/**
 * Mounts the debug pages on `mux`: `/debug/pprof/`, `/debug/strand/` (and `/debug/strand`), and
 * `/metrics`. Only on a mux served to operators: prefer {@link listenDebug}, which serves them on
 * a loopback address.
 */
export function registerDebug(mux: ServeMux, opts: DebugOptions = {}): void {
  const h = debugHandler(opts);
  mux.handle('/debug/pprof/', h);
  mux.handle('/debug/strand/', h);
  mux.handle('/metrics', h);
}

/** Whether `host` (no brackets) names the loopback interface: 127.0.0.0/8, ::1, localhost. */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  const v = isIP(host);
  if (v === 4) return host.startsWith('127.');
  if (v === 6) {
    const h = host.toLowerCase();
    return h === '::1' || h === '0:0:0:0:0:0:0:1' || (h.startsWith('::ffff:127.') && isIP(h.slice(7)) === 4);
  }
  return false;
}

/** Host part of "host:port" / "[v6]:port" (empty for ":port"). */
function hostOf(addr: string): string {
  const i = addr.lastIndexOf(':');
  const host = i < 0 ? addr : addr.slice(0, i);
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * Serves the debug pages on `addr`, which must be a loopback address (`127.0.0.1:6060`,
 * `[::1]:6060`, `localhost:6060`; port 0 picks one): an address that is empty (`:6060`, every
 * interface), unspecified or not loopback is refused, and so is a name that resolves elsewhere.
 *
 * @returns the server (shut it down with `shutdown()`) and the address it listens on.
 * @throws (rejects) HttpError `STRAND_ERR_NOT_LOOPBACK` for a non-loopback address; the listen
 *   error (address in use...) otherwise.
 *
 * @example
 * ```ts
 * const dbg = await listenDebug('127.0.0.1:6060');
 * console.log(`debug pages on http://${dbg.addr}/debug/strand/`);
 * ```
 */
export async function listenDebug(addr: string, opts: DebugOptions & Omit<ServerOptions, 'handler' | 'addr'> = {}): Promise<{ server: Server; addr: string }> {
  if (!isLoopbackHost(hostOf(addr))) throw errNotLoopback(addr);
  const l = await listen('tcp', addr);
  const bound = l.addr as TCPAddr;
  if (!isLoopbackHost(bound.ip)) {
    await l.close();
    throw errNotLoopback(addr);
  }
  const mux = new ServeMux();
  registerDebug(mux, opts);
  const { liveInterval: _ignored, ...serverOpts } = opts;
  const server = new Server({ ...serverOpts, handler: mux });
  server.serve(l).catch((err: unknown) => server.logger.error({ err }, `http: debug Serve: ${(err as Error).message}`));
  return { server, addr: String(bound) };
}
