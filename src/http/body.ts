/**
 * A blocking-style reader over a Node `Readable` (a server request body, a client response body).
 *
 * Pull-based, as undici and Fastify read streams: `read()` takes what the stream has buffered;
 * only when nothing is buffered does the goroutine park (wait reason "IO wait") until the stream
 * emits 'readable', 'end', 'error' or 'close'. While nobody reads, the stream's buffer fills to
 * its high-water mark and Node stops reading the socket, so TCP pushes back on the sender.
 *
 * Invariants (all fields are touched only by the reading goroutine and the stream's listeners,
 * on the one JavaScript thread):
 * - `_chunk` is the unread part of the last chunk taken from the stream (`_off` into it), or null.
 * - `_n` counts bytes taken from the stream; it never exceeds `_limit` without `_err` being set.
 * - Once `_eof` or `_err` is set it never changes again.
 * - Listeners are installed once, on the first park, and only ever ready `_w`.
 *
 * @module
 */

import type { Readable } from 'node:stream';
import { Waiter, immediate, park, ready } from '../runtime/goroutine.js';
import type { MaybePromise } from '../runtime/chan.js';
import { MaxBytesError, errBody } from './errors.js';

const AGAIN = -1;

/**
 * A request or response body read in the blocking style: `read(buf)` resolves to the number of
 * bytes copied into `buf`, or `null` at the end of the body (Deno's and Go's `io.Reader`).
 * Reads are limited to `limit` bytes: beyond it every read throws a {@link MaxBytesError}.
 *
 * Every method returns a plain value when it can complete at once and a promise otherwise;
 * `await` works on both.
 *
 * @example
 * ```ts
 * const buf = Buffer.allocUnsafe(64 * 1024);
 * let n: number | null;
 * while ((n = await r.body.read(buf)) !== null) hash.update(buf.subarray(0, n));
 * ```
 */
export class BodyReader {
  /** @internal */ _src: Readable;
  /** @internal */ _chunk: Buffer | null = null;
  /** @internal */ _off = 0;
  /** @internal */ _n = 0;
  /** @internal */ _limit: number;
  /** @internal */ _eof = false;
  /** @internal */ _err: Error | null = null;
  /** @internal */ _w: Waiter | null = null;

  /**
   * @param src - the stream to read.
   * @param limit - the most bytes the body may have (Infinity for no limit).
   * @param declared - the declared length (Content-Length), or -1 when unknown; a declared length
   *   over the limit fails the first read without reading anything.
   */
  constructor(src: Readable, limit = Infinity, declared = -1) {
    this._src = src;
    this._limit = limit;
    if (declared > limit) this._err = new MaxBytesError(limit);
  }

  /** Bytes read from the body so far. */
  get bytesRead(): number {
    return this._n - (this._chunk === null ? 0 : this._chunk.length - this._off);
  }

  /**
   * Reads up to `buf.length` bytes into `buf`.
   *
   * @returns the number of bytes read (≥ 1 when `buf` is not empty), or `null` at end of body.
   * @throws {@link MaxBytesError} past the body limit; an `HttpError` (STRAND_ERR_BODY) when the
   *   peer went away before the end of the body.
   */
  read(buf: Uint8Array): MaybePromise<number | null> {
    if (buf.length === 0) return 0;
    const n = this._tryRead(buf);
    if (n !== AGAIN) return immediate(n); // at once: fairness budget and attribution (see immediate())
    return this._readSlow(buf);
  }

  /** @internal */
  async _readSlow(buf: Uint8Array): Promise<number | null> {
    for (;;) {
      await this._park();
      const n = this._tryRead(buf);
      if (n !== AGAIN) return immediate(n); // see immediate(): keeps the caller's attribution
    }
  }

  /** @internal Copies buffered bytes, or returns AGAIN when the stream has nothing yet. */
  _tryRead(buf: Uint8Array): number | null {
    let c = this._chunk;
    if (c === null) {
      c = this._take();
      if (c === null) {
        if (this._eof) return null;
        return AGAIN;
      }
      this._chunk = c;
      this._off = 0;
    }
    const avail = c.length - this._off;
    if (avail <= buf.length) {
      buf.set(this._off === 0 ? c : c.subarray(this._off), 0);
      this._chunk = null;
      this._off = 0;
      return avail;
    }
    buf.set(c.subarray(this._off, this._off + buf.length), 0);
    this._off += buf.length;
    return buf.length;
  }

  /**
   * @internal Takes the next chunk from the stream, or null (then `_eof` says whether it ended).
   * Throws the sticky error.
   */
  _take(): Buffer | null {
    if (this._err !== null) throw this._err;
    if (this._eof) return null;
    const src = this._src;
    const c = src.read() as Buffer | string | null;
    if (c === null) {
      if (src.readableEnded) this._eof = true;
      else if (src.destroyed) this._fail(errBody('unexpected EOF: the peer closed the connection mid-body'));
      return null;
    }
    const b = typeof c === 'string' ? Buffer.from(c) : c;
    this._n += b.length;
    if (this._n > this._limit) this._fail(new MaxBytesError(this._limit));
    return b;
  }

  /** @internal Records a sticky error and throws it. */
  _fail(err: Error): never {
    this._err = err;
    this._chunk = null;
    throw err;
  }

  /** @internal Parks until the stream has news. */
  _park(): Promise<void> {
    let w = this._w;
    if (w === null) {
      w = this._w = new Waiter();
      const wake = (): void => ready(w!);
      const src = this._src;
      src.on('readable', wake);
      src.on('end', wake);
      src.on('close', wake);
      src.on('error', (e: Error) => {
        if (this._err === null && !this._eof) this._err = errBody(`read body: ${e.message}`, e);
        ready(w!);
      });
    }
    return park<void>(w, 'IO wait');
  }

  /**
   * Reads the rest of the body into one Buffer (Go's `io.ReadAll`), within the body limit.
   *
   * @throws {@link MaxBytesError} past the limit; an `HttpError` when the body is cut short.
   */
  readAll(): MaybePromise<Buffer> {
    const chunks: Buffer[] = [];
    if (this._chunk !== null) {
      chunks.push(this._off === 0 ? this._chunk : this._chunk.subarray(this._off));
      this._chunk = null;
      this._off = 0;
    }
    for (;;) {
      const c = this._take();
      if (c !== null) {
        chunks.push(c);
        continue;
      }
      if (this._eof) return immediate(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
      return this._readAllSlow(chunks);
    }
  }

  /** @internal */
  async _readAllSlow(chunks: Buffer[]): Promise<Buffer> {
    for (;;) {
      await this._park();
      let c: Buffer | null;
      while ((c = this._take()) !== null) chunks.push(c);
      if (this._eof) return immediate(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    }
  }

  /** Reads the rest of the body as UTF-8 text. */
  async text(): Promise<string> {
    return immediate((await this.readAll()).toString('utf8'));
  }

  /**
   * Reads the rest of the body and parses it as JSON.
   *
   * @throws an `HttpError` (STRAND_ERR_BODY) when the body is not valid JSON.
   */
  async json<T = unknown>(): Promise<T> {
    const text = (await this.readAll()).toString('utf8');
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw errBody(`invalid JSON body: ${(err as Error).message}`, err);
    }
  }

  /** Discards the rest of the body without reading it (destroys the stream). */
  close(): void {
    if (!this._eof && this._err === null) this._err = errBody('read on closed body');
    this._chunk = null;
    this._src.destroy();
  }
}
