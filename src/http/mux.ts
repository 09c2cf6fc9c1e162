/**
 * ServeMux: Go 1.22's request router.
 *
 * Registration checks every new pattern against the registered ones with the same host: two
 * patterns that match some common request where neither is more specific conflict, and the
 * registration throws (Go panics). So among the patterns matching a request (host-specific ones
 * first) there is always one most specific; matching scans the candidates of the request's first
 * path segment (an index by first literal segment, plus the patterns starting with a wildcard)
 * and keeps the most specific.
 *
 * @module
 */

import { errPatternConflict } from './errors.js';
import { type HandlerFunc, type HandlerLike, toHandlerFunc } from './handler.js';
import { Rel, type Pattern, commonPath, compare, exactMatch, matchPath, methodMatches, parsePattern } from './pattern.js';
import type { Request } from './request.js';
import type { ResponseWriter } from './response.js';
import * as sym from './_symbols.js';

// Module-local copies of the layer's symbols: a keyed access through an imported binding is a
// slow generic one in V8 (see _symbols.ts).
const kParams: typeof sym.kParams = sym.kParams;
const kPattern: typeof sym.kPattern = sym.kPattern;

interface Entry {
  pat: Pattern;
  handler: HandlerFunc;
}

/** Patterns of one host, indexed by their first path segment. */
class Table {
  /** First segment literal → entries. */
  byFirst = new Map<string, Entry[]>();
  /** Entries whose first segment is a wildcard (or the whole-tree "/"). */
  wild: Entry[] = [];
  all: Entry[] = [];

  add(e: Entry): void {
    this.all.push(e);
    const s = e.pat.segments[0];
    if (s.wild) this.wild.push(e);
    else {
      const k = s.s;
      const list = this.byFirst.get(k);
      if (list === undefined) this.byFirst.set(k, [e]);
      else list.push(e);
    }
  }
}

function firstSegment(path: string): string {
  if (path === '/') return '/';
  let j = path.indexOf('/', 1);
  if (j < 0) j = path.length;
  const s = path.slice(1, j);
  if (s.indexOf('%') < 0) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function stripPort(host: string): string {
  if (host.startsWith('[')) {
    const e = host.indexOf(']');
    return e < 0 ? host : host.slice(0, e + 1);
  }
  const c = host.indexOf(':');
  return c < 0 ? host : host.slice(0, c);
}

/** Go's cleanPath: the canonical form of a path (no "." or ".." elements, no repeated slashes). */
export function cleanPath(p: string): string {
  if (p === '') return '/';
  if (p[0] !== '/') p = '/' + p;
  if (!p.includes('//') && !p.includes('/.')) return p;
  const out: string[] = [];
  for (const el of p.split('/')) {
    if (el === '' || el === '.') continue;
    if (el === '..') out.pop();
    else out.push(el);
  }
  let np = '/' + out.join('/');
  if (p.endsWith('/') && np !== '/') np += '/';
  else if ((p.endsWith('/.') || p.endsWith('/..')) && np !== '/') np += '/';
  return np;
}

const STATUS_404 = '404 page not found\n';

/**
 * An HTTP request multiplexer with Go 1.22 patterns (Go's `http.ServeMux`).
 *
 * - `"GET /items/{id}"` — a method (GET also matches HEAD) and a path with a wildcard, read with
 *   `r.pathValue('id')`;
 * - `"/files/{path...}"` — the rest of the path; `"/static/"` — everything below `/static/`;
 * - `"/{$}"` — exactly `/`; `"example.com/"` — only requests for that host.
 *
 * The most specific pattern wins; registering two patterns that conflict (they match a common
 * request and neither is more specific, e.g. `"GET /"` and `"/index.html"`) throws. A request no
 * pattern matches gets a 404; one whose path matches only with other methods gets a 405 with an
 * `Allow` header; `/dir` is redirected (301) to `/dir/` when only the latter is registered; and a
 * path with `.`/`..` elements or repeated slashes is redirected to its clean form. Redirect
 * locations are escaped as Go escapes them (`/./\evil.example` → `/%5Cevil.example`). An
 * absolute-form request target (`GET http://example.com/hello`) is routed by its path (`/hello`)
 * and its host, as Go does.
 *
 * @example
 * ```ts
 * const mux = new ServeMux();
 * mux.handleFunc('GET /rooms/{room}', (w, r) => { w.write(`room ${r.pathValue('room')}`); });
 * mux.handleFunc('POST /rooms/{room}/messages', postMessage);
 * await serve(listener, mux);
 * ```
 */
export class ServeMux {
  /** Host → table of the patterns with that host. */
  readonly #hosts = new Map<string, Table>();
  /** The patterns without a host. */
  readonly #anyHost = new Table();

  /**
   * Registers `handler` for `pattern`.
   *
   * @throws `HttpError` STRAND_ERR_PATTERN for an invalid pattern; STRAND_ERR_PATTERN_CONFLICT when
   *   it conflicts with (or duplicates) a registered pattern.
   */
  handle(pattern: string, handler: HandlerLike): void {
    const pat = parsePattern(pattern);
    const h = toHandlerFunc(handler);
    const table = pat.host === '' ? this.#anyHost : this.#tableFor(pat.host);
    for (const e of table.all) {
      const rel = compare(pat, e.pat);
      if (rel === Rel.Equivalent) throw errPatternConflict(pattern, e.pat.str, 'they match the same requests');
      if (rel === Rel.Overlaps) {
        throw errPatternConflict(pattern, e.pat.str, `both match some paths, like "${commonPath(pat, e.pat)}", and neither is more specific`);
      }
    }
    table.add({ pat, handler: h });
  }

  /** Registers a handler function for `pattern` (Go's `HandleFunc`). Same rules as {@link handle}. */
  handleFunc(pattern: string, fn: HandlerFunc): void {
    this.handle(pattern, fn);
  }

  #tableFor(host: string): Table {
    let t = this.#hosts.get(host);
    if (t === undefined) {
      t = new Table();
      this.#hosts.set(host, t);
    }
    return t;
  }

  /** The most specific entry of `t` matching method and path, with its wildcard values in `out`. */
  #match(t: Table, method: string, path: string, out: string[]): Entry | null {
    const first = t.byFirst.size > 0 ? t.byFirst.get(firstSegment(path)) : undefined;
    const mark = out.length;
    let best: Entry | null = null;
    if (first !== undefined) best = bestOf(first, method, path, out, mark, best);
    if (t.wild.length > 0) best = bestOf(t.wild, method, path, out, mark, best);
    return best;
  }

  /** Host-specific patterns first, then host-less ones. */
  #find(host: string, method: string, path: string, out: string[]): Entry | null {
    if (this.#hosts.size > 0) {
      const t = this.#hosts.get(host);
      if (t !== undefined) {
        const e = this.#match(t, method, path, out);
        if (e !== null) return e;
      }
    }
    return this.#match(this.#anyHost, method, path, out);
  }

  /** Methods that would match `path` (for 405's Allow). */
  #allowed(host: string, path: string): string[] {
    const methods = new Set<string>();
    const scratch: string[] = [];
    const tables = [this.#hosts.get(host), this.#anyHost];
    for (const t of tables) {
      if (t === undefined) continue;
      for (const e of t.all) {
        scratch.length = 0;
        if (e.pat.method !== '' && matchPath(e.pat, path, scratch)) {
          methods.add(e.pat.method);
          if (e.pat.method === 'GET') methods.add('HEAD');
        }
      }
    }
    return [...methods].sort();
  }

  /**
   * The handler and pattern that would serve `r` (Go's `ServeMux.Handler`), or null when none
   * matches (then {@link serveHTTP} answers 404, 405 or a redirect).
   */
  handler(r: Request): { handler: HandlerFunc; pattern: string } | null {
    const out: string[] = [];
    const e = this.#find(stripPort(r.host), r.method, r.rawPath, out);
    return e === null ? null : { handler: e.handler, pattern: e.pat.str };
  }

  /** Dispatches `r` to the most specific matching handler (Go's `ServeMux.ServeHTTP`). */
  serveHTTP(w: ResponseWriter, r: Request): Promise<void> | void {
    const path = r.rawPath;
    const host = this.#hosts.size > 0 ? stripPort(r.host) : '';
    if (r.method !== 'CONNECT') {
      const clean = cleanPath(path);
      if (clean !== path) return redirect(w, r, clean);
    }
    const out: string[] = [];
    const e = this.#find(host, r.method, path, out);
    if (e !== null && exactMatch(e.pat, path)) return serveWith(e, w, r, out);
    if (path[path.length - 1] !== '/') {
      const e2 = this.#find(host, r.method, path + '/', []);
      if (e2 !== null && exactMatch(e2.pat, path + '/')) return redirect(w, r, path + '/');
    }
    if (e !== null) return serveWith(e, w, r, out);
    const allow = this.#allowed(host, path);
    if (allow.length > 0) {
      w.header().set('Allow', allow.join(', '));
      return plainError(w, 405, 'Method Not Allowed\n');
    }
    plainError(w, 404, STATUS_404);
  }
}

/**
 * Scans `list` for entries matching method and path that are more specific than `best`; the
 * wildcard values of the best one so far are kept in `out` after `mark`.
 */
function bestOf(list: Entry[], method: string, path: string, out: string[], mark: number, best: Entry | null): Entry | null {
  for (let i = 0; i < list.length; i++) {
    const e = list[i];
    if (!methodMatches(e.pat.method, method)) continue;
    if (best !== null && compare(e.pat, best.pat) !== Rel.MoreSpecific) continue;
    const prev = out.length;
    if (!matchPath(e.pat, path, out)) continue;
    // A better match: drop the previous best's values, keep this one's.
    if (prev > mark) out.splice(mark, prev - mark);
    best = e;
  }
  return best;
}

function plainError(w: ResponseWriter, code: number, text: string): void {
  const h = w.header();
  h.set('Content-Type', 'text/plain; charset=utf-8');
  h.set('X-Content-Type-Options', 'nosniff');
  w.writeHeader(code);
  w.write(text);
}

function serveWith(e: Entry, w: ResponseWriter, r: Request, out: string[]): Promise<void> | void {
  r[kPattern] = e.pat.str;
  if (out.length > 0) r[kParams] = out;
  return e.handler(w, r);
}

/**
 * A redirect to `path` (an escaped path) with the request's query, as Go's
 * `RedirectHandler(u.String(), 301)` sends it: the path is escaped as Go's `url.URL.EscapedPath`
 * escapes a path, so a `\` (which browsers read as `/`, turning `/\evil.example` into the
 * protocol-relative `//evil.example`) goes out as `%5C`; a `%XX` already in the path is kept.
 */
function redirect(w: ResponseWriter, r: Request, path: string): void {
  const uri = r.requestURI;
  const q = uri.indexOf('?');
  const loc = escapePath(path);
  w.header().set('Location', q < 0 ? loc : loc + uri.slice(q));
  w.writeHeader(301);
}

/** Bytes Go's `shouldEscape(c, encodePath)` leaves alone, besides letters and digits. */
const PATH_SAFE = "-_.~$&+,/:;=@";

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/**
 * Escapes a raw request path for a `Location` header the way Go's `url.URL` escapes
 * a path (`encodePath` mode): letters, digits and `-_.~$&+,/:;=@` stay, a valid `%XX` escape
 * stays (the path is already escaped), every other byte of its UTF-8 form becomes `%XX`.
 */
function escapePath(p: string): string {
  let i = 0;
  for (; i < p.length; i++) {
    const c = p.charCodeAt(i);
    if (!isPathSafe(c) && !(c === 37 && isHex(p.charCodeAt(i + 1)) && isHex(p.charCodeAt(i + 2)))) break;
  }
  if (i === p.length) return p; // the common case: nothing to escape
  let out = p.slice(0, i);
  const bytes = Buffer.from(p.slice(i), 'utf8');
  for (let j = 0; j < bytes.length; j++) {
    const c = bytes[j]!;
    if (isPathSafe(c) || (c === 37 && isHex(bytes[j + 1] ?? 0) && isHex(bytes[j + 2] ?? 0))) out += String.fromCharCode(c);
    else out += '%' + (c < 16 ? '0' : '') + c.toString(16).toUpperCase();
  }
  return out;
}

function isPathSafe(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || (c < 128 && PATH_SAFE.indexOf(String.fromCharCode(c)) >= 0);
}
