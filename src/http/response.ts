/**
 * The ResponseWriter a handler writes its response with (Go's `http.ResponseWriter`).
 *
 * Invariants (the writer belongs to the handler goroutine; the server touches it only after the
 * handler returned or threw, through {@link kFinish} and {@link kReset}; every field is private):
 * - `#status` is 0 until `writeHeader` (explicit, or implied by the first write/flush), then the
 *   status; header changes after that are ignored, as in Go.
 * - `#pending` holds at most one small first chunk not yet given to node:http. Keeping it lets a
 *   handler that writes once and returns be answered with `Content-Length` in one `end()`
 *   (Go buffers the start of a response for the same reason). Any second write, `flush()` or the
 *   end of the handler hands it over. It is a string or a private copy, never a caller's buffer.
 * - `#io` is null until the first backpressure; then the 'drain' and 'close' listeners are
 *   installed once and wake it.
 * - Cancellation reaches a parked write: on the first park the writer follows its request's
 *   context (`#ctx`, through `context.afterFunc`, registered once). `#parked` is true exactly
 *   while the handler goroutine waits in {@link ResponseWriter.write}; it is cleared by whoever
 *   readies it ('drain', 'close', or the context). When the context ends while a write is parked
 *   (or a write would park after it ended) the socket is destroyed — nothing stays queued for a
 *   peer that does not read — and the write fails: {@link ErrClientGone} when the client left,
 *   else a `STRAND_ERR_WRITE_CANCELED` error whose cause is the context's cause. A context that
 *   ends while no write is parked changes nothing (the handler returning cancels it too).
 *
 * Per-client memory: node:http queues at most its high-water mark (16 KiB) before `write`
 * parks, plus the one chunk that crossed it; the held-back first chunk is ≤ 4 KiB. So what a
 * response can hold for a peer that does not read is bounded by 16 KiB + the largest single
 * chunk the handler writes.
 *
 * @module
 */

import type { ServerResponse } from 'node:http';
import { type Context, type MaybePromise, cause, context } from '../runtime/index.js';
import { ErrClientGone, errInvalidStatus, errWriteAfterEnd, errWriteCanceled } from './errors.js';
import * as sym from './_symbols.js';
import { IOWait, immediate } from './_wait.js';

// Module-local copies of the layer's symbols: a keyed access through an imported binding is a
// slow generic one in V8 (see _symbols.ts).
const kFinish: typeof sym.kFinish = sym.kFinish;
const kReset: typeof sym.kReset = sym.kReset;
const kHijack: typeof sym.kHijack = sym.kHijack;

/** Chunks up to this size may be held back for a single `end()` (see the module comment). */
const HOLD_MAX = 4096;

/**
 * @internal What a ResponseWriter follows to abandon a parked write: the request context. The
 * server passes the {@link Request} itself (its context is built only if a write ever parks);
 * the Fastify plugin passes an object over `request.context`.
 */
export interface ContextSource {
  context(): Context;
}

/**
 * A response whose whole body (`body`) is known at its end: node:http announces the length
 * itself on HTTP/1.1 GETs, but not on a HEAD (it drops the body and the length with it) nor to
 * an HTTP/1.0 client (so it cannot keep the connection alive). Go announces it in both cases;
 * so do we. A HEAD with no body gets none (Go's rule: the handler may not have written it).
 */
function knownLength(res: ServerResponse, body: string | Buffer): void {
  const req = res.req;
  const head = req.method === 'HEAD';
  if (!head && req.httpVersionMinor !== 0) return; // the common case: node:http does it
  const n = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  if (head && n === 0) return;
  const status = res.statusCode;
  if (status < 200 || status === 204 || status === 304 || res.hasHeader('content-length')) return;
  res.setHeader('Content-Length', n);
}

/** The error of a write abandoned because `ctx` ended. */
function cancelError(ctx: Context): Error {
  const c = cause(ctx);
  return c === ErrClientGone ? ErrClientGone : errWriteCanceled(c);
}

/**
 * The header map of a response (Go's `http.Header`, case-insensitive). Changes after the status
 * was written are ignored, as in Go.
 */
export class ResponseHeader {
  readonly #w: ResponseWriter;

  /** @internal Built by {@link ResponseWriter.header}. */
  constructor(w: ResponseWriter) {
    this.#w = w;
  }

  /** Replaces the values of `name`. */
  set(name: string, value: string | number | readonly string[]): void {
    if (this.#w.status === 0) this.#w.raw.setHeader(name, value);
  }

  /** Adds a value to `name` (Go's `Header.Add`). */
  add(name: string, value: string): void {
    if (this.#w.status !== 0) return;
    const res = this.#w.raw;
    const old = res.getHeader(name);
    if (old === undefined) res.setHeader(name, value);
    else res.setHeader(name, Array.isArray(old) ? [...old, value] : [String(old), value]);
  }

  /** The first value of `name`, or "" (Go's `Header.Get`). */
  get(name: string): string {
    const v = this.#w.raw.getHeader(name);
    if (v === undefined) return '';
    return Array.isArray(v) ? (v[0] ?? '') : String(v);
  }

  /** Every value of `name` (Go's `Header.Values`). */
  values(name: string): string[] {
    const v = this.#w.raw.getHeader(name);
    if (v === undefined) return [];
    return Array.isArray(v) ? v.slice() : [String(v)];
  }

  /** Whether `name` is set. */
  has(name: string): boolean {
    return this.#w.raw.hasHeader(name);
  }

  /** Removes `name` (Go's `Header.Del`). */
  delete(name: string): void {
    if (this.#w.status === 0) this.#w.raw.removeHeader(name);
  }
}

/**
 * Writes a response. Obtained as the handler's first argument.
 *
 * - `header()` returns the header map; change it before the status is written.
 * - `writeHeader(code)` sets the status (once; later calls are ignored and logged, as in Go).
 * - `write(chunk)` writes body bytes, implying status 200 if none was set. It returns at once
 *   while the connection keeps up, and parks the goroutine (wait reason "IO wait") when
 *   node:http reports backpressure, until the client has read enough ('drain'): a client that
 *   does not read can never make the server buffer without bound. A parked write fails when the
 *   client leaves ({@link ErrClientGone}) or the request context is cancelled (server shutdown,
 *   a deadline: code `STRAND_ERR_WRITE_CANCELED`); the connection is then closed. Both are
 *   ordinary error values (Go's write errors): a handler may ignore them, and one that lets them
 *   escape is logged at debug level, never as a panic.
 * - `flush()` sends the status, headers and anything held back now (for streaming).
 * - The response ends when the handler returns.
 *
 * @example
 * ```ts
 * function hello(w: ResponseWriter, r: Request) {
 *   w.header().set('Content-Type', 'text/plain; charset=utf-8');
 *   w.write(`hello ${r.pathValue('name')}\n`);
 * }
 * ```
 */
export class ResponseWriter {
  /** The underlying Node response (for interop). */
  readonly raw: ServerResponse;
  #status = 0;
  #hdr: ResponseHeader | null = null;
  #pending: string | Buffer | null = null;
  #io: IOWait | null = null;
  #written = 0;
  /** Called on a superfluous writeHeader (the server's logger), or null. */
  readonly #onSuperfluous: ((w: ResponseWriter, code: number) => void) | null;
  /** Where the request context comes from (read on the first park only), or null. */
  readonly #ctxSrc: ContextSource | null;
  /** The request context, once a write has parked (see the module comment). */
  #ctx: Context | null = null;
  /** True while the handler goroutine is parked in `write` (cleared by whoever readies it). */
  #parked = false;
  /** The connection was taken over (`[kHijack]`): the response is never ended. */
  #hijacked = false;

  /**
   * @internal Built by the server (and the Fastify plugin's `reply.sse`).
   * @param onSuperfluous - told about a superfluous `writeHeader` call (the server logs it).
   * @param ctxSrc - the request context to follow: a parked write fails when it ends.
   */
  constructor(res: ServerResponse, onSuperfluous: ((w: ResponseWriter, code: number) => void) | null = null, ctxSrc: ContextSource | null = null) {
    this.raw = res;
    this.#onSuperfluous = onSuperfluous;
    this.#ctxSrc = ctxSrc;
  }

  /** The response header map. */
  header(): ResponseHeader {
    if (this.#hdr === null) this.#hdr = new ResponseHeader(this);
    return this.#hdr;
  }

  /** The status written so far, or 0. */
  get status(): number {
    return this.#status;
  }

  /** Body bytes handed to node:http so far (held-back bytes included). */
  get bytesWritten(): number {
    return this.#written;
  }

  /**
   * Sets the response status. Only the first call counts; a later one is ignored (and logged as
   * "superfluous", as Go does). The status and headers go out with the first write, `flush()`,
   * or when the handler returns.
   *
   * @throws RangeError (code `STRAND_ERR_INVALID_ARG`) for a code outside 100–999.
   */
  writeHeader(code: number): void {
    if (this.#status !== 0) {
      if (this.#onSuperfluous !== null) this.#onSuperfluous(this, code);
      return;
    }
    if (!Number.isInteger(code) || code < 100 || code > 999) throw errInvalidStatus(code);
    this.#status = code;
    this.raw.statusCode = code;
  }

  /**
   * Writes body bytes (a string is written as UTF-8). Implies `writeHeader(200)` when no status
   * was set, and a `Content-Type` of `text/plain; charset=utf-8` (for a string) or
   * `application/octet-stream` when none was set.
   *
   * @returns `undefined` when the bytes were accepted at once, or a promise that resolves once
   *   node:http has drained (backpressure). The caller may reuse `chunk` as soon as this returns.
   * @throws {@link ErrClientGone} (throws or rejects) when the client disconnected; an
   *   `HttpError` with code `STRAND_ERR_WRITE_CANCELED` (rejects) when the write was parked on
   *   backpressure and the request context was cancelled (the connection is closed; `cause` is
   *   the context's cause); an `HttpError` when the response has ended (a ResponseWriter must not
   *   be used after its handler returned).
   */
  write(chunk: string | Uint8Array): MaybePromise<void> {
    const res = this.raw;
    if (res.writableEnded) throw errWriteAfterEnd();
    if (this.#status === 0) this.#implicitHeader(chunk);
    if (res.destroyed) throw ErrClientGone;
    const n = typeof chunk === 'string' ? chunk.length : chunk.byteLength;
    if (n === 0) return immediate(undefined);
    this.#written += n;
    if (this.#pending === null && !res.headersSent && this.#written <= HOLD_MAX) {
      // First small chunk: hold it (copied if it is a caller's buffer; see the module comment).
      this.#pending = typeof chunk === 'string' ? chunk : Buffer.from(chunk);
      return immediate(undefined);
    }
    if (this.#pending !== null) {
      const p = this.#pending;
      this.#pending = null;
      res.write(p);
    }
    // At once: the fairness budget and the caller's goroutine attribution (see immediate()).
    if (res.write(chunk)) return immediate(undefined);
    return this.#waitDrain();
  }

  /**
   * Parks until 'drain'. Fails with ErrClientGone when the response closes first, and with a
   * write-canceled error when the request context ends first (the connection is destroyed).
   * The slow path: the listeners and the context registration are made once per writer.
   */
  #waitDrain(): Promise<void> {
    let io = this.#io;
    if (io === null) {
      io = this.#io = new IOWait();
      const wake = (): void => this.#onDrainOrClose();
      this.raw.on('drain', wake);
      this.raw.on('close', wake);
      const src = this.#ctxSrc;
      if (src !== null) {
        const ctx = (this.#ctx = src.context());
        if (ctx.err() === null) context.afterFunc(ctx, () => this.#onCancel());
      }
    }
    const ctx = this.#ctx;
    if (ctx !== null && ctx.err() !== null) {
      // Cancelled before this write parked: the same outcome as cancelled while parked.
      const err = cancelError(ctx);
      this.raw.destroy();
      return Promise.reject(err);
    }
    this.#parked = true;
    return io.wait();
  }

  #onDrainOrClose(): void {
    if (!this.#parked) return;
    this.#parked = false;
    const io = this.#io!;
    const res = this.raw;
    if (res.destroyed && !res.writableFinished) io.fail(ErrClientGone);
    else io.wake();
  }

  /** The request context ended (in its own goroutine): abandon a parked write, close the connection. */
  #onCancel(): void {
    if (!this.#parked) return; // not waiting: the handler sees the context itself
    this.#parked = false;
    this.#io!.fail(cancelError(this.#ctx!));
    this.raw.destroy();
  }

  /** First write or flush without a status: 200, and a Content-Type guess. */
  #implicitHeader(chunk: string | Uint8Array | null): void {
    this.#status = 200;
    const res = this.raw;
    res.statusCode = 200;
    if (chunk !== null && !res.hasHeader('content-type')) {
      res.setHeader('Content-Type', typeof chunk === 'string' ? 'text/plain; charset=utf-8' : 'application/octet-stream');
    }
  }

  /**
   * Sends the status line, the headers and any held-back bytes now (Go's `http.Flusher`). Use it
   * when streaming, so the client sees what was written so far.
   */
  flush(): void {
    const res = this.raw;
    if (res.destroyed || res.writableEnded) return;
    if (this.#status === 0) this.#implicitHeader(null);
    if (this.#pending !== null) {
      const p = this.#pending;
      this.#pending = null;
      res.write(p);
    } else if (!res.headersSent) {
      res.flushHeaders();
    }
  }

  /**
   * @internal Replaces the response by an error response (the server's recovery from a handler
   * that threw): every header and held-back byte the handler set is discarded; `status` and
   * `body` are held for {@link kFinish}. Only while nothing has been sent (`!raw.headersSent`).
   */
  [kReset](status: number, body: string): void {
    const res = this.raw;
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    this.#status = status;
    res.statusCode = status;
    this.#pending = body;
    this.#written = body.length;
  }

  /** @internal The connection was taken over (a WebSocket upgrade): {@link kFinish} does nothing. */
  [kHijack](): void {
    this.#hijacked = true;
  }

  /** @internal Ends the response after the handler returned. */
  [kFinish](): void {
    if (this.#hijacked) return;
    const res = this.raw;
    if (this.#status === 0) {
      this.#status = 200;
      res.statusCode = 200;
    }
    if (res.writableEnded || res.destroyed) return;
    const p = this.#pending;
    if (p !== null) {
      this.#pending = null;
      if (!res.headersSent) knownLength(res, p);
      res.end(p);
    } else {
      if (this.#written === 0 && !res.headersSent) knownLength(res, '');
      res.end();
    }
  }
}
