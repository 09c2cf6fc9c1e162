/**
 * The server-side request a handler receives (Go's `*http.Request`).
 *
 * Cheap to create: the hot path stores only what node:http already parsed; the URL object, the
 * body reader and the context are built on first use.
 *
 * Ownership: the private fields are set by the handler goroutine's calls (lazily) and by the
 * server once, through `[kHandlerDone]()` after the handler returned; ServeMux writes the
 * `[kParams]`/`[kPattern]` slots before it calls the matched handler.
 *
 * @module
 */

import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { type CancelCauseFunc, type Context, withCancelCause } from '../runtime/index.js';
import { BodyReader } from './body.js';
import { ErrClientGone } from './errors.js';
import * as sym from './_symbols.js';

// Module-local copies of the layer's symbols: a keyed access through an imported binding is a
// slow generic one in V8 (see _symbols.ts).
const kHandlerDone: typeof sym.kHandlerDone = sym.kHandlerDone;
const kParams: typeof sym.kParams = sym.kParams;
const kPattern: typeof sym.kPattern = sym.kPattern;
const kEOF: typeof sym.kEOF = sym.kEOF;
const kSendContinue: typeof sym.kSendContinue = sym.kSendContinue;
const kUnreadContinue: typeof sym.kUnreadContinue = sym.kUnreadContinue;

/** '/' */
const SLASH = 47;

/**
 * @internal What a Request needs of the server that received it (the server's internal state
 * implements it; a Request never sees the Server itself).
 */
export interface RequestHost {
  /** The request body limit in bytes. */
  readonly maxBodyBytes: number;
  /** The server's base context: every request context derives from it (cancelled on shutdown). */
  readonly baseCtx: Context;
}

/** The path of an absolute-form target ("http://h/p?q" → "/p"; "*" and oddities → themselves). */
function absPath(u: string): string {
  const s = u.indexOf('://');
  if (s < 0) return u;
  const q = u.indexOf('?');
  const end = q < 0 ? u.length : q;
  const p = u.indexOf('/', s + 3);
  if (p < 0 || p > end) return '/';
  return u.slice(p, end);
}

/** The authority of an absolute-form target ("http://h:1/p" → "h:1"), or "". */
function absAuthority(u: string): string {
  const s = u.indexOf('://');
  if (s < 0) return '';
  let e = s + 3;
  while (e < u.length) {
    const c = u.charCodeAt(e);
    if (c === SLASH || c === 63 /* ? */) break;
    e++;
  }
  const a = u.slice(s + 3, e);
  const at = a.lastIndexOf('@');
  return at < 0 ? a : a.slice(at + 1);
}

/**
 * An HTTP request received by a server.
 *
 * `r.context()` is cancelled when the client disconnects (cause {@link ErrClientGone}), when the
 * server shuts down (cause {@link ErrServerClosed}) and when the handler returns (Go's rule), so
 * a handler blocked on a channel should `select` on `r.context().done()` too.
 */
export class Request {
  /** The request method, upper case ("GET"). */
  readonly method: string;
  /**
   * The request target as sent ("/search?q=go"; an absolute-form target is kept as sent,
   * "http://example.com/search?q=go", and routed by its path, as Go does).
   */
  readonly requestURI: string;
  /** Header fields, lower-cased names (Node's parsed headers). */
  readonly headers: IncomingHttpHeaders;
  /** A small per-server sequence number, used in logs as the request id. */
  readonly id: number;
  /** The underlying Node request (for interop; reading it directly bypasses `body`). */
  readonly raw: IncomingMessage;
  // The two symbol-keyed slots are declared here and assigned in the constructor with the
  // module-local symbols: a field initializer would make TypeScript hoist the keys into module
  // `var`s, and a keyed store through a mutable variable is the slow generic one (_symbols.ts).
  /** @internal Names and values of path wildcards, set by ServeMux: [name0, value0, name1, ...]. */
  declare [kParams]: string[] | null;
  /** @internal The ServeMux pattern that matched, or "". */
  declare [kPattern]: string;
  readonly #res: ServerResponse;
  readonly #host: RequestHost;
  /** The peer's address and port, captured when the request started (the socket may be gone later). */
  readonly #remoteIP: string | undefined;
  readonly #remotePort: number | undefined;
  #url: URL | null = null;
  #body: BodyReader | null = null;
  #ctx: Context | null = null;
  #cancel: CancelCauseFunc | null = null;
  /** Set when the handler has returned. */
  #done = false;
  /** The request came with `Expect: 100-continue`, unanswered: the first body read sends the 100. */
  readonly #expect: boolean;

  /**
   * @internal Built by the server.
   * @param expect - the request has `Expect: 100-continue` and no `100 Continue` was sent yet.
   */
  constructor(host: RequestHost, req: IncomingMessage, res: ServerResponse, id: number, expect: boolean) {
    this[kParams] = null;
    this[kPattern] = '';
    this.method = req.method!;
    this.requestURI = req.url!;
    this.headers = req.headers;
    this.id = id;
    this.raw = req;
    this.#res = res;
    this.#host = host;
    this.#expect = expect;
    // Go captures RemoteAddr at accept; node:http caches the peer name per socket, so this is a
    // getpeername once per connection, and logs never print ":undefined" for a gone client.
    const sock = req.socket;
    this.#remoteIP = sock.remoteAddress;
    this.#remotePort = sock.remotePort;
  }

  /** The request URL, resolved against the Host header (parsed on first use). */
  get url(): URL {
    if (this.#url === null) this.#url = new URL(this.requestURI, `http://${this.host || 'localhost'}`);
    return this.#url;
  }

  /**
   * The escaped path, without the query ("/a%20b/c"). For an absolute-form target
   * ("http://example.com/a?b") it is the path of that URL ("/a"), as Go's `r.URL.Path`.
   */
  get rawPath(): string {
    const u = this.requestURI;
    if (u.charCodeAt(0) !== SLASH) return absPath(u);
    const q = u.indexOf('?');
    return q < 0 ? u : u.slice(0, q);
  }

  /** The decoded path ("/a b/c"), as Go's `r.URL.Path`. */
  get path(): string {
    const p = this.rawPath;
    if (p.indexOf('%') < 0) return p;
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  }

  /**
   * The host the request is for (Go's `r.Host`): the authority of an absolute-form target
   * (RFC 9112 §3.2.2: it wins over the Host header), else the Host header, or "".
   */
  get host(): string {
    const u = this.requestURI;
    if (u.charCodeAt(0) !== SLASH) {
      const a = absAuthority(u);
      if (a !== '') return a;
    }
    return this.headers.host ?? '';
  }

  /**
   * The client's address, "ip:port" (Go's `r.RemoteAddr`), captured when the request started,
   * so it is still known after the client left ("unknown" if the socket never had a peer).
   */
  get remoteAddr(): string {
    const ip = this.#remoteIP;
    if (ip === undefined) return 'unknown';
    return ip.includes(':') ? `[${ip}]:${this.#remotePort}` : `${ip}:${this.#remotePort}`;
  }

  /** The ServeMux pattern that matched the request ("GET /items/{id}"), or "" (Go's `r.Pattern`). */
  get pattern(): string {
    return this[kPattern];
  }

  /**
   * The request body as a blocking-style reader, limited to the server's `maxBodyBytes`.
   * Reading past the limit throws a `MaxBytesError`, which the server turns into a 413 if the
   * handler lets it escape.
   */
  get body(): BodyReader {
    if (this.#body === null) {
      const cl = this.headers['content-length'];
      const b = (this.#body = new BodyReader(this.raw, this.#host.maxBodyBytes, cl === undefined ? -1 : Number(cl)));
      if (this.#expect) b[kSendContinue](this.#res);
    }
    return this.#body;
  }

  /**
   * @internal True for an `Expect: 100-continue` request whose body the handler did not read to
   * its end: the client may not have sent it, so the connection cannot be reused (Go's rule).
   */
  get [kUnreadContinue](): boolean {
    if (!this.#expect) return false;
    const b = this.#body;
    return b === null || !b[kEOF];
  }

  /** Reads the whole body (within the body limit). */
  readAll(): Promise<Buffer> | Buffer {
    return this.body.readAll();
  }

  /** Reads the whole body as UTF-8 text. */
  text(): Promise<string> {
    return this.body.text();
  }

  /**
   * Reads the whole body and parses it as JSON.
   *
   * @throws `HttpError` STRAND_ERR_BODY on invalid JSON (a 400 if it escapes the handler),
   *   `MaxBytesError` past the body limit (a 413).
   */
  json<T = unknown>(): Promise<T> {
    return this.body.json<T>();
  }

  /**
   * The value of the path wildcard `name` in the ServeMux pattern that matched (Go's
   * `r.PathValue`), or "" when there is no such wildcard.
   *
   * @example
   * ```ts
   * mux.handleFunc('GET /rooms/{room}', (w, r) => w.write(`room ${r.pathValue('room')}`));
   * ```
   */
  pathValue(name: string): string {
    const p = this[kParams];
    if (p === null) return '';
    for (let i = 0; i < p.length; i += 2) if (p[i] === name) return p[i + 1];
    return '';
  }

  /** Sets a path value (Go's `r.SetPathValue`), e.g. for middleware and tests. */
  setPathValue(name: string, value: string): void {
    const p = (this[kParams] ??= []);
    for (let i = 0; i < p.length; i += 2) {
      if (p[i] === name) {
        p[i + 1] = value;
        return;
      }
    }
    p.push(name, value);
  }

  /**
   * The request's context: cancelled when the client disconnects (cause {@link ErrClientGone}),
   * when the server shuts down (cause `ErrServerClosed`), and when the handler returns.
   * Its `signal` is an AbortSignal for undici, fetch and Node APIs.
   *
   * @example
   * ```ts
   * const ctx = r.context();
   * const got = recvCase(updates), gone = recvCase(ctx.done());
   * if (await select([got, gone]) === 1) return; // client left
   * ```
   */
  context(): Context {
    if (this.#ctx === null) {
      const [ctx, cancel] = withCancelCause(this.#host.baseCtx);
      this.#ctx = ctx;
      this.#cancel = cancel;
      const res = this.#res;
      if (this.#done || res.writableFinished) cancel();
      else if (res.destroyed || this.raw.socket.destroyed) cancel(ErrClientGone);
      else res.once('close', () => this.#onClose());
    }
    return this.#ctx;
  }

  /** The response closed: a client that left before the end of the response. */
  #onClose(): void {
    if (this.#cancel !== null && !this.#res.writableFinished) this.#cancel(ErrClientGone);
  }

  /** @internal The handler returned (Go's rule: its context is cancelled now). */
  [kHandlerDone](): void {
    this.#done = true;
    if (this.#cancel !== null) this.#cancel();
  }
}
