/**
 * The ResponseWriter a handler writes its response with (Go's `http.ResponseWriter`).
 *
 * Invariants (the writer belongs to the handler goroutine; the server touches it only after the
 * handler returned or threw):
 * - `_status` is 0 until `writeHeader` (explicit, or implied by the first write/flush), then the
 *   status; header changes after that are ignored, as in Go.
 * - `_pending` holds at most one small first chunk not yet given to node:http. Keeping it lets a
 *   handler that writes once and returns be answered with `Content-Length` in one `end()`
 *   (Go buffers the start of a response for the same reason). Any second write, `flush()` or the
 *   end of the handler hands it over. It is a string or a private copy, never a caller's buffer.
 * - `_drain` is non-null only while the goroutine is parked on backpressure.
 *
 * @module
 */

import type { ServerResponse } from 'node:http';
import { Waiter, immediate, park, ready, readyError } from '../runtime/goroutine.js';
import type { MaybePromise } from '../runtime/chan.js';
import { ErrClientGone, HttpError, httpCodes } from './errors.js';

function errWriteAfterEnd(): HttpError {
  return new HttpError(httpCodes.WRITE_AFTER_END, 'http: write on a response that has ended (the handler already returned)');
}

/** Chunks up to this size may be held back for a single `end()` (see the module comment). */
const HOLD_MAX = 4096;

/**
 * The header map of a response (Go's `http.Header`, case-insensitive). Changes after the status
 * was written are ignored, as in Go.
 */
export class ResponseHeader {
  /** @internal */ _w: ResponseWriter;

  /** @internal */
  constructor(w: ResponseWriter) {
    this._w = w;
  }

  /** Replaces the values of `name`. */
  set(name: string, value: string | number | readonly string[]): void {
    if (this._w._status === 0) this._w._res.setHeader(name, value);
  }

  /** Adds a value to `name` (Go's `Header.Add`). */
  add(name: string, value: string): void {
    if (this._w._status !== 0) return;
    const res = this._w._res;
    const old = res.getHeader(name);
    if (old === undefined) res.setHeader(name, value);
    else res.setHeader(name, Array.isArray(old) ? [...old, value] : [String(old), value]);
  }

  /** The first value of `name`, or "" (Go's `Header.Get`). */
  get(name: string): string {
    const v = this._w._res.getHeader(name);
    if (v === undefined) return '';
    return Array.isArray(v) ? (v[0] ?? '') : String(v);
  }

  /** Every value of `name` (Go's `Header.Values`). */
  values(name: string): string[] {
    const v = this._w._res.getHeader(name);
    if (v === undefined) return [];
    return Array.isArray(v) ? v.slice() : [String(v)];
  }

  /** Whether `name` is set. */
  has(name: string): boolean {
    return this._w._res.hasHeader(name);
  }

  /** Removes `name` (Go's `Header.Del`). */
  delete(name: string): void {
    if (this._w._status === 0) this._w._res.removeHeader(name);
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
  /** @internal */ _res: ServerResponse;
  /** @internal */ _status = 0;
  /** @internal */ _hdr: ResponseHeader | null = null;
  /** @internal */ _pending: string | Buffer | null = null;
  /** @internal */ _drain: Waiter | null = null;
  /** @internal */ _wake: (() => void) | null = null;
  /** @internal */ _written = 0;
  /** @internal Called on a superfluous writeHeader (set by the server, for its logger). */
  _onSuperfluous: ((w: ResponseWriter, code: number) => void) | null = null;

  /** @internal Built by the server. */
  constructor(res: ServerResponse) {
    this.raw = res;
    this._res = res;
  }

  /** The response header map. */
  header(): ResponseHeader {
    if (this._hdr === null) this._hdr = new ResponseHeader(this);
    return this._hdr;
  }

  /** The status written so far, or 0. */
  get status(): number {
    return this._status;
  }

  /** Body bytes handed to node:http so far (held-back bytes included). */
  get bytesWritten(): number {
    return this._written;
  }

  /**
   * Sets the response status. Only the first call counts; a later one is ignored (and logged as
   * "superfluous", as Go does). The status and headers go out with the first write, `flush()`,
   * or when the handler returns.
   *
   * @throws RangeError for a code outside 100–999.
   */
  writeHeader(code: number): void {
    if (this._status !== 0) {
      if (this._onSuperfluous !== null) this._onSuperfluous(this, code);
      return;
    }
    if (!Number.isInteger(code) || code < 100 || code > 999) {
      throw new RangeError(`http: invalid WriteHeader code ${code}`);
    }
    this._status = code;
    this._res.statusCode = code;
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
    const res = this._res;
    if (res.writableEnded) throw errWriteAfterEnd();
    if (this._status === 0) this._implicitHeader(chunk);
    if (res.destroyed) throw ErrClientGone;
    const n = typeof chunk === 'string' ? chunk.length : chunk.byteLength;
    if (n === 0) return immediate(undefined);
    this._written += n;
    if (this._pending === null && !res.headersSent && this._written <= HOLD_MAX) {
      // First small chunk: hold it (copied if it is a caller's buffer; see the module comment).
      this._pending = typeof chunk === 'string' ? chunk : Buffer.from(chunk);
      return immediate(undefined);
    }
    if (this._pending !== null) {
      const p = this._pending;
      this._pending = null;
      res.write(p);
    }
    // At once: the fairness budget and the caller's goroutine attribution (see immediate()).
    if (res.write(chunk)) return immediate(undefined);
    return this._waitDrain();
  }

  /** @internal Parks until 'drain' (or the response closes). */
  _waitDrain(): Promise<void> {
    const w = (this._drain = new Waiter());
    if (this._wake === null) {
      this._wake = (): void => this._onDrainOrClose();
      this._res.on('drain', this._wake);
      this._res.on('close', this._wake);
    }
    return park<void>(w, 'IO wait');
  }

  /** @internal */
  _onDrainOrClose(): void {
    const w = this._drain;
    if (w === null) return;
    this._drain = null;
    if (this._res.destroyed && !this._res.writableFinished) readyError(w, ErrClientGone);
    else ready(w);
  }

  /** @internal First write or flush without a status: 200, and a Content-Type guess. */
  _implicitHeader(chunk: string | Uint8Array | null): void {
    this._status = 200;
    const res = this._res;
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
    const res = this._res;
    if (res.destroyed || res.writableEnded) return;
    if (this._status === 0) this._implicitHeader(null);
    if (this._pending !== null) {
      const p = this._pending;
      this._pending = null;
      res.write(p);
    } else if (!res.headersSent) {
      res.flushHeaders();
    }
  }

  /** @internal Ends the response after the handler returned. */
  _finish(): void {
    const res = this._res;
    if (this._status === 0) {
      this._status = 200;
      res.statusCode = 200;
    }
    if (res.writableEnded || res.destroyed) return;
    const p = this._pending;
    if (p !== null) {
      this._pending = null;
      res.end(p);
    } else {
      res.end();
    }
  }
}
