/**
 * The HTTP client (Go's `http.Client`) on undici: blocking-style calls that park the calling
 * goroutine ("IO wait") until the response headers arrive, cancellation by a context (its
 * AbortSignal is handed to undici), a response body read in the blocking style, and undici's
 * connection pooling (one pool per origin, keep-alive, pipelining off).
 *
 * The caller must read the body to the end or `close()` it, so the connection goes back to the
 * pool (Go's "the client must close the response body").
 *
 * @module
 */

import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { request as undiciRequest, type Dispatcher } from 'undici';
import { type Context, type MaybePromise, background, withTimeout } from '../runtime/index.js';
import { BodyReader } from './body.js';
import { ClientError } from './errors.js';
import * as sym from './_symbols.js';
import { IOWait } from './_wait.js';

// Module-local copies of the layer's symbols: a keyed access through an imported binding is a
// slow generic one in V8 (see _symbols.ts).
const kEOF: typeof sym.kEOF = sym.kEOF;

/** A request for {@link Client.do} / {@link doRequest} (Go's `http.NewRequestWithContext`). */
export interface ClientRequest {
  /** Method, default "GET". */
  method?: string;
  /** Absolute URL. */
  url: string | URL;
  /** Header fields. */
  headers?: Record<string, string | string[]>;
  /** Request body. */
  body?: string | Uint8Array | Readable | null;
  /** Cancels the request (and the reading of its body) when done. Default: never. */
  context?: Context;
}

/** Per-call options of {@link get} and {@link post}. */
export type RequestOptions = Omit<ClientRequest, 'url' | 'method' | 'body'>;

/** Options of a {@link Client}. */
export interface ClientOptions {
  /** The undici dispatcher (an Agent, a Pool...). Default: undici's global dispatcher. */
  dispatcher?: Dispatcher;
  /**
   * A time limit for each request, from the call until the end of the body (Go's
   * `Client.Timeout`), in ms; 0 = none (the default).
   */
  timeout?: number;
  /** Largest response body read through {@link ClientResponse.body} (default unlimited). */
  maxResponseBytes?: number;
}

/** A client response (Go's `*http.Response`). */
export class ClientResponse {
  /** The status code (200). */
  readonly status: number;
  /** Response header fields, lower-cased names. */
  readonly headers: IncomingHttpHeaders;
  /** The body as a blocking-style reader; read it to the end or {@link close} it. */
  readonly body: BodyReader;
  /** Cancels the per-request timeout context, if any; null once released. */
  #release: (() => void) | null;

  /** @internal */
  constructor(status: number, headers: IncomingHttpHeaders, body: BodyReader, release: (() => void) | null) {
    this.status = status;
    this.headers = headers;
    this.body = body;
    this.#release = release;
  }

  /** Reads the whole body. */
  readAll(): MaybePromise<Buffer> {
    return this.body.readAll();
  }

  /** Reads the whole body as UTF-8 text. */
  text(): Promise<string> {
    return this.body.text();
  }

  /** Reads the whole body as JSON. */
  json<T = unknown>(): Promise<T> {
    return this.body.json<T>();
  }

  /** Discards the rest of the body and releases the connection. */
  close(): void {
    if (!this.body[kEOF]) this.body.close();
    if (this.#release !== null) {
      this.#release();
      this.#release = null;
    }
  }
}

function goOp(method: string): string {
  return method.length === 0 ? method : method[0] + method.slice(1).toLowerCase();
}

/**
 * An HTTP client. {@link defaultClient} serves the package-level {@link get}, {@link post} and
 * {@link doRequest}.
 *
 * @example
 * ```ts
 * const [ctx, cancel] = withTimeout(background(), 2 * Second);
 * const res = await new Client().do({ url: 'http://127.0.0.1:8080/items', context: ctx });
 * const items = await res.json();
 * cancel();
 * ```
 */
export class Client {
  readonly #dispatcher: Dispatcher | undefined;
  /** Per-request time limit in ms (0 = none). */
  readonly #timeout: number;
  /** Largest response body read through `body`. */
  readonly #maxBytes: number;

  constructor(opts: ClientOptions = {}) {
    this.#dispatcher = opts.dispatcher;
    this.#timeout = opts.timeout ?? 0;
    this.#maxBytes = opts.maxResponseBytes ?? Infinity;
  }

  /**
   * Sends a request and parks the calling goroutine ("IO wait") until the response headers
   * arrive (Go's `Client.Do`).
   *
   * @returns the response; its body is read separately.
   * @throws (rejects) {@link ClientError} — connection errors, and cancellation by the context
   *   (then `cause` is the context's error: `Canceled` or `DeadlineExceeded`).
   */
  do(req: ClientRequest): Promise<ClientResponse> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = String(req.url);
    let ctx = req.context ?? background();
    let release: (() => void) | null = null;
    if (this.#timeout > 0) [ctx, release] = withTimeout(ctx, this.#timeout);
    const io = new IOWait();
    const p = io.wait<ClientResponse>();
    if (ctx.err() !== null) {
      if (release !== null) release();
      io.fail(new ClientError(goOp(method), url, ctx.err()));
      return p;
    }
    const maxBytes = this.#maxBytes;
    undiciRequest(url, {
      method: method as Dispatcher.HttpMethod,
      headers: req.headers,
      body: req.body ?? null,
      signal: ctx.done() === null ? undefined : ctx.signal,
      dispatcher: this.#dispatcher,
    }).then(
      (res) => {
        const cl = res.headers['content-length'];
        const body = new BodyReader(res.body, maxBytes, typeof cl === 'string' ? Number(cl) : -1);
        io.wake(new ClientResponse(res.statusCode, res.headers as IncomingHttpHeaders, body, release));
      },
      (err: unknown) => {
        if (release !== null) release();
        io.fail(new ClientError(goOp(method), url, ctx.err() ?? err));
      },
    );
    return p;
  }

  /** `do({ method: 'GET', url, ...opts })` (Go's `Client.Get`). */
  get(url: string | URL, opts: RequestOptions = {}): Promise<ClientResponse> {
    return this.do({ ...opts, method: 'GET', url });
  }

  /**
   * `do({ method: 'POST', url, body, ...opts })` (Go's `Client.Post`); a plain object body is
   * sent as JSON.
   */
  post(url: string | URL, body: ClientRequest['body'] | object, opts: RequestOptions = {}): Promise<ClientResponse> {
    if (body !== null && typeof body === 'object' && !(body instanceof Uint8Array) && typeof (body as Readable).pipe !== 'function') {
      return this.do({ ...opts, method: 'POST', url, body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...opts.headers } });
    }
    return this.do({ ...opts, method: 'POST', url, body: body as ClientRequest['body'] });
  }
}

/** The client behind {@link get}, {@link post} and {@link doRequest} (undici's global dispatcher). */
export const defaultClient = new Client();

/**
 * GET `url` with the default client (Go's `http.Get`).
 *
 * @example
 * ```ts
 * const res = await get('http://127.0.0.1:8080/health', { context: ctx });
 * console.log(res.status, await res.text());
 * ```
 */
export function get(url: string | URL, opts?: RequestOptions): Promise<ClientResponse> {
  return defaultClient.get(url, opts);
}

/** POST `body` to `url` with the default client (Go's `http.Post`); objects are sent as JSON. */
export function post(url: string | URL, body: ClientRequest['body'] | object, opts?: RequestOptions): Promise<ClientResponse> {
  return defaultClient.post(url, body, opts);
}

/** Sends `req` with the default client (Go's `http.DefaultClient.Do`; `do` is a keyword). */
export function doRequest(req: ClientRequest): Promise<ClientResponse> {
  return defaultClient.do(req);
}
