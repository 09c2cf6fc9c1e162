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
 *
 * @module
 */

import type { ServerResponse } from 'node:http';
import type { MaybePromise } from '../runtime/index.js';
import { ErrClientGone, errInvalidStatus, errWriteAfterEnd } from './errors.js';
import * as sym from './_symbols.js';
import { IOWait, immediate } from './_wait.js';

// Module-local copies of the layer's symbols: a keyed access through an imported binding is a
// slow generic one in V8 (see _symbols.ts).
const kFinish: typeof sym.kFinish = sym.kFinish;
const kReset: typeof sym.kReset = sym.kReset;

/** Chunks up to this size may be held back for a single `end()` (see the module comment). */
const HOLD_MAX = 4096;

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
 *   does not read can never make the server buffer without bound.
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

  /**
   * @internal Built by the server (and the Fastify plugin's `reply.sse`).
   * @param onSuperfluous - told about a superfluous `writeHeader` call (the server logs it).
   */
  constructor(res: ServerResponse, onSuperfluous: ((w: ResponseWriter, code: number) => void) | null = null) {
    this.raw = res;
    this.#onSuperfluous = onSuperfluous;
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
   * @throws {@link ErrClientGone} (rejects) when the client disconnected; an `HttpError` when
   *   the response has ended (a ResponseWriter must not be used after its handler returned).
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

  /** Parks until 'drain' (or the response closes: then the write fails with ErrClientGone). */
  #waitDrain(): Promise<void> {
    let io = this.#io;
    if (io === null) {
      io = this.#io = new IOWait();
      const wake = (): void => this.#onDrainOrClose();
      this.raw.on('drain', wake);
      this.raw.on('close', wake);
    }
    return io.wait();
  }

  #onDrainOrClose(): void {
    const io = this.#io!;
    const res = this.raw;
    if (res.destroyed && !res.writableFinished) io.fail(ErrClientGone);
    else io.wake();
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

  /** @internal Ends the response after the handler returned. */
  [kFinish](): void {
    const res = this.raw;
    if (this.#status === 0) {
      this.#status = 200;
      res.statusCode = 200;
    }
    if (res.writableEnded || res.destroyed) return;
    const p = this.#pending;
    if (p !== null) {
      this.#pending = null;
      res.end(p);
    } else {
      res.end();
    }
  }
}
