/**
 * Go's `net/http/httptest` for strand/http: {@link newServer} (a real server on 127.0.0.1 with a
 * free port), {@link newRecorder} (a ResponseWriter that records the response in memory) and
 * {@link newRequest} (a server-side Request built without a socket).
 *
 * strand/http's `ResponseWriter` and `Request` are classes over node:http's `ServerResponse` and
 * `IncomingMessage`, not interfaces. So the recorder *is* a ResponseWriter (a subclass) written
 * over {@link RecordingResponse}, an in-memory stand-in for the few `ServerResponse` members the
 * writer uses (status, header map, `write`/`end`, the end-state flags); and a request is a real
 * `Request` over a real `IncomingMessage` fed from memory. Handlers, `ServeMux` and middleware
 * take them unchanged, and the handler types stay as they are. (Both constructors are marked
 * `@internal` in strand/http: this file is their one user outside the server; ARCHITECTURE.md
 * names the exception.)
 *
 * Invariants: a RecordingResponse belongs to the handler under test (one goroutine); its fields
 * change only through the ServerResponse-shaped calls the ResponseWriter makes.
 *
 * @module
 */

import { EventEmitter } from 'node:events';
import { IncomingMessage, type OutgoingHttpHeader, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { background } from '../runtime/index.js';
import { listen, type TCPAddr } from '../net/index.js';
import { DEFAULT_MAX_BODY_BYTES, Request, ResponseWriter, serve, type HandlerLike, type Server, type ServerOptions } from '../http/index.js';

/**
 * The in-memory stand-in for node:http's `ServerResponse` under a {@link ResponseRecorder}:
 * header map, status, body chunks. Exposed as the recorder's `raw`.
 */
export class RecordingResponse extends EventEmitter {
  /** The status code set by the writer. */
  statusCode = 200;
  /** True once the status and headers are "sent" (first body write or flush). */
  headersSent = false;
  /** True once the response has ended. */
  writableEnded = false;
  /** Same as `writableEnded` (nothing is in flight in memory). */
  writableFinished = false;
  /** True once `destroy()` was called. */
  destroyed = false;
  /** What the writer reads of the request: a GET over HTTP/1.1. */
  readonly req = { method: 'GET', httpVersionMinor: 1 };
  /** Header values by lower-cased name, with the name as first set. */
  readonly #headers = new Map<string, [string, OutgoingHttpHeader]>();
  /** The headers as they were when the status was sent (Go's snapshot at WriteHeader). */
  #sent: OutgoingHttpHeaders | null = null;
  /** Body bytes written so far. */
  readonly chunks: Buffer[] = [];

  setHeader(name: string, value: OutgoingHttpHeader): this {
    this.#headers.set(name.toLowerCase(), [name, value]);
    return this;
  }

  getHeader(name: string): OutgoingHttpHeader | undefined {
    return this.#headers.get(name.toLowerCase())?.[1];
  }

  hasHeader(name: string): boolean {
    return this.#headers.has(name.toLowerCase());
  }

  removeHeader(name: string): void {
    this.#headers.delete(name.toLowerCase());
  }

  getHeaderNames(): string[] {
    return [...this.#headers.keys()];
  }

  /** The header map now, or as sent once the status went out; lower-cased names. */
  getHeaders(): OutgoingHttpHeaders {
    if (this.#sent !== null) return { ...this.#sent };
    const out: OutgoingHttpHeaders = {};
    for (const [k, [, v]] of this.#headers) out[k] = v;
    return out;
  }

  #send(): void {
    if (this.headersSent) return;
    this.#sent = this.getHeaders();
    this.headersSent = true;
  }

  write(chunk: string | Uint8Array): boolean {
    this.#send();
    this.chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
    return true;
  }

  end(chunk?: string | Uint8Array): this {
    if (chunk !== undefined) this.write(chunk);
    this.#send();
    this.writableEnded = this.writableFinished = true;
    this.emit('finish');
    return this;
  }

  flushHeaders(): void {
    this.#send();
  }

  destroy(): this {
    if (!this.destroyed) {
      this.destroyed = true;
      this.emit('close');
    }
    return this;
  }
}

/**
 * A ResponseWriter that records what a handler writes (Go's `httptest.ResponseRecorder`). Pass
 * it to a handler or a `ServeMux` directly, then read {@link ResponseRecorder.code},
 * {@link ResponseRecorder.headerMap} and {@link ResponseRecorder.body}. Create one with
 * {@link newRecorder}.
 */
export class ResponseRecorder extends ResponseWriter {
  readonly #rec: RecordingResponse;

  /** Use {@link newRecorder}. */
  constructor() {
    const rec = new RecordingResponse();
    super(rec as unknown as ServerResponse);
    this.#rec = rec;
  }

  /** The status written, or 200 if the handler wrote none (Go's `Code`). */
  get code(): number {
    return this.status || 200;
  }

  /**
   * The response headers (lower-cased names; values as set): as they were when the status went
   * out, or as they are now if it has not.
   */
  get headerMap(): OutgoingHttpHeaders {
    return this.#rec.getHeaders();
  }

  /**
   * The body written so far. Reading it sends what the writer held back (a first small chunk
   * waits for the end of the response), as a `flush()` would: read it after the handler returned.
   */
  get body(): Buffer {
    this.flush();
    return Buffer.concat(this.#rec.chunks);
  }

  /** The body as UTF-8 text (see {@link ResponseRecorder.body}). */
  get text(): string {
    return this.body.toString('utf8');
  }

  /** True once the status and headers have gone out (a write or flush happened). */
  get flushed(): boolean {
    return this.#rec.headersSent;
  }
}

/**
 * A new {@link ResponseRecorder} (Go's `httptest.NewRecorder`).
 *
 * @returns the recorder.
 * @example
 * ```ts
 * const rec = newRecorder();
 * await mux.serveHTTP(rec, newRequest('GET', '/items/42'));
 * console.log(rec.code, rec.headerMap['content-type'], rec.text);
 * ```
 */
export function newRecorder(): ResponseRecorder {
  return new ResponseRecorder();
}

/**
 * A server-side {@link Request} for a handler under test (Go's `httptest.NewRequest`), built in
 * memory: `target` is a path (`/items/42?x=1`) or an absolute URL (its host becomes the Host
 * header); the Host is `example.com` otherwise, as in Go. The body, if any, is readable through
 * `r.body`, `r.text()`, `r.json()`, with a matching Content-Length. Other headers can be set on
 * `r.headers` (lower-case names) before the handler runs. Its context is a child of
 * `background()`.
 *
 * @param method - the method, e.g. "GET" (upper-cased).
 * @param target - the request target.
 * @param body - the request body.
 * @returns the request.
 * @example
 * ```ts
 * const r = newRequest('POST', '/items', JSON.stringify({ name: 'x' }));
 * r.headers['content-type'] = 'application/json';
 * ```
 */
export function newRequest(method: string, target: string, body?: string | Uint8Array): Request {
  const msg = new IncomingMessage(new Socket());
  msg.method = method.toUpperCase();
  msg.httpVersion = '1.1';
  msg.httpVersionMajor = 1;
  msg.httpVersionMinor = 1;
  let host = 'example.com';
  const abs = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(target);
  if (abs !== null) host = abs[1]!;
  msg.url = target;
  msg.headers = { host };
  if (body !== undefined) {
    const buf = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body);
    msg.headers['content-length'] = String(buf.length);
    if (buf.length > 0) msg.push(buf);
  }
  msg.push(null);
  const host_ = { maxBodyBytes: DEFAULT_MAX_BODY_BYTES, baseCtx: background() };
  const res = new RecordingResponse();
  return new Request(host_, msg, res as unknown as ServerResponse, 0, false);
}

/**
 * A real strand/http server on a free port of 127.0.0.1 (Go's `httptest.Server`). Create one with
 * {@link newServer}; close it with {@link TestServer.close} or `await using`.
 */
export class TestServer {
  /** The base URL, `http://127.0.0.1:<port>` (no trailing slash). */
  readonly url: string;
  /** The strand/http server. */
  readonly server: Server;

  /** Use {@link newServer}. */
  constructor(url: string, server: Server) {
    this.url = url;
    this.server = server;
  }

  /**
   * Closes the listener and every connection (Go's `Server.Close`), then waits for the handlers
   * still running to return (their request contexts are cancelled).
   */
  async close(): Promise<void> {
    this.server.close();
    while (this.server.activeRequests > 0) await new Promise<void>((r) => setTimeout(r, 2));
  }

  /** Closes the server when an `await using` scope ends (see {@link TestServer.close}). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Starts a real strand/http server for `handler` on 127.0.0.1 with a free port (Go's
 * `httptest.NewServer`). Use it to test a handler through real HTTP (strand/http's client,
 * fetch, undici); close it when done.
 *
 * @param handler - a handler function or a `ServeMux`.
 * @param opts - server options (timeouts, limits, logger).
 * @returns the running server, with its `url`.
 * @example
 * ```ts
 * await using ts = await newServer((w) => void w.write('hello'));
 * const res = await fetch(ts.url + '/');
 * console.log(await res.text()); // hello
 * ```
 */
export async function newServer(handler: HandlerLike, opts: Omit<ServerOptions, 'handler'> = {}): Promise<TestServer> {
  const l = await listen('tcp', '127.0.0.1:0');
  const srv = serve(l, handler, opts);
  return new TestServer(`http://127.0.0.1:${(l.addr as TCPAddr).port}`, srv);
}
