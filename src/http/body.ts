/**
 * A blocking-style reader over a Node `Readable` (a server request body, a client response body).
 *
 * Pull-based, as undici and Fastify read streams: `read()` takes what the stream has buffered;
 * only when nothing is buffered does the goroutine park (wait reason "IO wait") until the stream
 * emits 'readable', 'end', 'error' or 'close'. While nobody reads, the stream's buffer fills to
 * its high-water mark and Node stops reading the socket, so TCP pushes back on the sender.
 *
 * Invariants (all fields are private; they are touched only by the reading goroutine and the
 * stream's listeners, on the one JavaScript thread):
 * - `#chunk` is the unread part of the last chunk taken from the stream (`#off` into it), or null.
 * - `#n` counts bytes taken from the stream; it never exceeds `#limit` without `#err` being set.
 * - Once `#eof` or `#err` is set it never changes again.
 * - Listeners are installed once, on the first park (when `#io` is created), and only ever wake
 *   `#io`.
 *
 * @module
 */

import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { MaybePromise } from '../runtime/index.js';
import { MaxBytesError, errBody } from './errors.js';
import * as sym from './_symbols.js';
import { IOWait, immediate } from './_wait.js';

// Module-local copies of the layer's symbols: a keyed access through an imported binding is a
// slow generic one in V8 (see _symbols.ts).
const kEOF: typeof sym.kEOF = sym.kEOF;
const kSendContinue: typeof sym.kSendContinue = sym.kSendContinue;

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
  #src: Readable;
  #chunk: Buffer | null = null;
  #off = 0;
  #n = 0;
  #limit: number;
  #eof = false;
  #err: Error | null = null;
  #io: IOWait | null = null;
  /** The response to send `100 Continue` on before the first read (Expect: 100-continue), or null. */
  #cont: ServerResponse | null = null;

  /**
   * @param src - the stream to read.
   * @param limit - the most bytes the body may have (Infinity for no limit).
   * @param declared - the declared length (Content-Length), or -1 when unknown; a declared length
   *   over the limit fails the first read without reading anything.
   */
  constructor(src: Readable, limit = Infinity, declared = -1) {
    this.#src = src;
    this.#limit = limit;
    if (declared > limit) this.#err = new MaxBytesError(limit);
  }

  /**
   * @internal Sends `100 Continue` on `res` at the first read (Go's expectContinueReader): a
   * handler that never reads the body (a 404, a 401) never invites the client to send it.
   */
  [kSendContinue](res: ServerResponse): void {
    this.#cont = res;
  }

  /** Sends the pending `100 Continue`, once, if nothing was answered yet and the body is wanted. */
  #sendContinue(): void {
    const res = this.#cont!;
    this.#cont = null;
    if (this.#err === null && !res.headersSent && !res.destroyed) res.writeContinue();
  }

  /** @internal True once the body was read to its end. */
  get [kEOF](): boolean {
    return this.#eof;
  }

  /** Bytes read from the body so far. */
  get bytesRead(): number {
    return this.#n - (this.#chunk === null ? 0 : this.#chunk.length - this.#off);
  }

  /**
   * Reads up to `buf.length` bytes into `buf`.
   *
   * @returns the number of bytes read (≥ 1 when `buf` is not empty), or `null` at end of body.
   * @throws {@link MaxBytesError} past the body limit; an `HttpError` (STRAND_ERR_BODY) when the
   *   peer went away before the end of the body.
   */
  read(buf: Uint8Array): MaybePromise<number | null> {
    if (this.#cont !== null) this.#sendContinue();
    if (buf.length === 0) return 0;
    const n = this.#tryRead(buf);
    if (n !== AGAIN) return immediate(n); // at once: fairness budget and attribution (see immediate())
    return this.#readSlow(buf);
  }

  async #readSlow(buf: Uint8Array): Promise<number | null> {
    for (;;) {
      await this.#park();
      const n = this.#tryRead(buf);
      if (n !== AGAIN) return immediate(n); // see immediate(): keeps the caller's attribution
    }
  }

  /** Copies buffered bytes, or returns AGAIN when the stream has nothing yet. */
  #tryRead(buf: Uint8Array): number | null {
    let c = this.#chunk;
    if (c === null) {
      c = this.#take();
      if (c === null) {
        if (this.#eof) return null;
        return AGAIN;
      }
      this.#chunk = c;
      this.#off = 0;
    }
    const avail = c.length - this.#off;
    if (avail <= buf.length) {
      buf.set(this.#off === 0 ? c : c.subarray(this.#off), 0);
      this.#chunk = null;
      this.#off = 0;
      return avail;
    }
    buf.set(c.subarray(this.#off, this.#off + buf.length), 0);
    this.#off += buf.length;
    return buf.length;
  }

  /**
   * Takes the next chunk from the stream, or null (then `#eof` says whether it ended). Throws the
   * sticky error.
   */
  #take(): Buffer | null {
    if (this.#err !== null) throw this.#err;
    if (this.#eof) return null;
    const src = this.#src;
    const c = src.read() as Buffer | string | null;
    if (c === null) {
      if (src.readableEnded) this.#eof = true;
      else if (src.destroyed) this.#fail(errBody('unexpected EOF: the peer closed the connection mid-body'));
      return null;
    }
    const b = typeof c === 'string' ? Buffer.from(c) : c;
    this.#n += b.length;
    if (this.#n > this.#limit) this.#fail(new MaxBytesError(this.#limit));
    return b;
  }

  /** Records a sticky error and throws it. */
  #fail(err: Error): never {
    this.#err = err;
    this.#chunk = null;
    throw err;
  }

  /** Parks until the stream has news. */
  #park(): Promise<void> {
    let io = this.#io;
    if (io === null) {
      io = this.#io = new IOWait();
      const wake = (): void => io!.wake();
      const src = this.#src;
      src.on('readable', wake);
      src.on('end', wake);
      src.on('close', wake);
      src.on('error', (e: Error) => {
        if (this.#err === null && !this.#eof) this.#err = errBody(`read body: ${e.message}`, e);
        io!.wake();
      });
    }
    return io.wait();
  }

  /**
   * Reads the rest of the body into one Buffer (Go's `io.ReadAll`), within the body limit.
   *
   * @throws {@link MaxBytesError} past the limit; an `HttpError` when the body is cut short.
   */
  readAll(): MaybePromise<Buffer> {
    if (this.#cont !== null) this.#sendContinue();
    const chunks: Buffer[] = [];
    if (this.#chunk !== null) {
      chunks.push(this.#off === 0 ? this.#chunk : this.#chunk.subarray(this.#off));
      this.#chunk = null;
      this.#off = 0;
    }
    for (;;) {
      const c = this.#take();
      if (c !== null) {
        chunks.push(c);
        continue;
      }
      if (this.#eof) return immediate(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
      return this.#readAllSlow(chunks);
    }
  }

  async #readAllSlow(chunks: Buffer[]): Promise<Buffer> {
    for (;;) {
      await this.#park();
      let c: Buffer | null;
      while ((c = this.#take()) !== null) chunks.push(c);
      if (this.#eof) return immediate(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
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
    if (!this.#eof && this.#err === null) this.#err = errBody('read on closed body');
    this.#chunk = null;
    this.#src.destroy();
  }
}
