/**
 * bufio.Reader (Go's bufio.go, reading half; Deno's buf_reader.ts): buffers a strand Reader
 * and adds `readString`, `readLine`, `readBytes`, `readSlice`, `peek`, `readByte`, `discard`.
 *
 * Invariants (one goroutine at a time uses a Reader, as in Go; every field is this class's own):
 * - The unread data is `buf[r..w)`, with `0 <= r <= w <= buf.length`. Only `#fill` moves it (to
 *   the front) and advances `w`; the read methods advance `r`.
 * - `eof`: the underlying reader returned null; it is never read again until `reset`.
 * - `err`: the underlying reader's error, kept until the buffered data is consumed, then thrown
 *   once by `#takeErr`, after which the Reader is at its end (`eof`).
 * - `full` means "the buffer filled before the delimiter"; `#scanSlice` sets it and its callers
 *   read it at once: it is meaningless after any other call.
 * - Views returned by `readSlice`, `peek` and `readLine` point into `buf` and are valid until
 *   the next call; the other methods return copies.
 *
 * Fast paths: every method first works with what is buffered and returns a plain value when it
 * can; only when it must read through does it return a promise. The public methods hand their
 * result over through the runtime's `awaitable` (fairness budget, goroutine attribution); inside
 * the class the `#` versions are called, so a result is handed over once. Slow paths are async
 * methods: no closure is allocated per call.
 *
 * @module
 */

import { awaitable } from '../../runtime/index.js';
import { ErrBufferFull, ErrNegativeCount, ErrNoProgress, errInvalidArg } from '../errors.js';
import type { MaybePromise, Reader as IOReader } from '../io.js';

/** Default buffer size of Reader, Writer and Scanner. */
export const DEFAULT_BUF_SIZE = 4096;
const MIN_READ_BUFFER_SIZE = 16;
/** @internal Reads in a row that may return 0 bytes before {@link ErrNoProgress} (Reader, Scanner). */
export const MAX_EMPTY_READS = 100;

function delimByte(delim: number | string): number {
  const d = typeof delim === 'string' ? delim.charCodeAt(0) : delim;
  if (!(d >= 0 && d <= 255) || (typeof delim === 'string' && (delim.length !== 1 || d > 127))) {
    throw errInvalidArg(`bufio: delimiter must be one byte, got ${JSON.stringify(delim)}`);
  }
  return d;
}

function concat(parts: Uint8Array[], total: number): Buffer {
  return parts.length === 1 ? Buffer.from(parts[0]) : Buffer.concat(parts, total);
}

/**
 * A buffered reader (Go's `bufio.Reader`).
 *
 * @example
 * ```ts
 * const br = new Reader(conn);
 * let line: string | null;
 * while ((line = await br.readString('\n')) !== null) { ... } // the last line may lack '\n'
 * ```
 */
export class Reader implements IOReader {
  #buf: Buffer;
  #r = 0;
  #w = 0;
  #rd: IOReader;
  #eof = false;
  #err: unknown = null;
  #full = false;

  /**
   * @param rd the reader to buffer.
   * @param size the buffer size (default 4096, at least 16).
   */
  constructor(rd: IOReader, size = DEFAULT_BUF_SIZE) {
    this.#rd = rd;
    this.#buf = Buffer.allocUnsafe(Math.max(size, MIN_READ_BUFFER_SIZE));
  }

  /** The buffer size. */
  get size(): number {
    return this.#buf.length;
  }

  /** Bytes that can be read from the buffer without reading through. */
  buffered(): number {
    return this.#w - this.#r;
  }

  /** Discards buffered data and state, and reads from `rd` from now on. */
  reset(rd: IOReader): void {
    this.#rd = rd;
    this.#r = this.#w = 0;
    this.#eof = false;
    this.#err = null;
  }

  /** Reads once from the underlying reader into the free end of the buffer. */
  #fill(): MaybePromise<void> {
    if (this.#r > 0) {
      this.#buf.copyWithin(0, this.#r, this.#w);
      this.#w -= this.#r;
      this.#r = 0;
    }
    for (let i = 0; i < MAX_EMPTY_READS; i++) {
      let n: MaybePromise<number | null>;
      try {
        n = this.#rd.read(this.#buf.subarray(this.#w));
      } catch (err) {
        this.#err = err;
        return;
      }
      if (n instanceof Promise) return this.#filled(n);
      if (n === null) {
        this.#eof = true;
        return;
      }
      if (n > 0) {
        this.#w += n;
        return;
      }
    }
    this.#err = ErrNoProgress;
  }

  async #filled(p: Promise<number | null>): Promise<void> {
    try {
      const n = await p;
      if (n === null) this.#eof = true;
      else if (n > 0) this.#w += n;
    } catch (err) {
      this.#err = err;
    }
  }

  /** Throws the pending read error once (then the reader is at its end). */
  #takeErr(): never {
    const err = this.#err;
    this.#err = null;
    this.#eof = true;
    throw err;
  }

  /**
   * Reads up to `p.length` bytes: from the buffer if it holds any, otherwise with at most one
   * read of the underlying reader (directly into `p` when `p` is at least as large as the
   * buffer).
   *
   * @returns the number of bytes read, or `null` at end of stream.
   */
  read(p: Uint8Array): MaybePromise<number | null> {
    return awaitable(this.#read(p));
  }

  #read(p: Uint8Array): MaybePromise<number | null> {
    if (p.length === 0) return 0;
    if (this.#r === this.#w) return this.#readSlow(p);
    const n = Math.min(p.length, this.#w - this.#r);
    p.set(this.#buf.subarray(this.#r, this.#r + n));
    this.#r += n;
    return n;
  }

  #readSlow(p: Uint8Array): MaybePromise<number | null> {
    if (this.#err !== null) this.#takeErr();
    if (this.#eof) return null;
    if (p.length >= this.#buf.length) return this.#rd.read(p);
    this.#r = this.#w = 0;
    const f = this.#fill();
    if (f instanceof Promise) return this.#readAfter(f, p);
    return this.#readAfterFill(p);
  }

  async #readAfter(f: Promise<void>, p: Uint8Array): Promise<number | null> {
    await f;
    return this.#readAfterFill(p);
  }

  #readAfterFill(p: Uint8Array): number | null {
    if (this.#r === this.#w) {
      if (this.#err !== null) this.#takeErr();
      return null;
    }
    return this.#read(p) as number;
  }

  /**
   * Reads one byte.
   *
   * @returns the byte, or `null` at end of stream.
   */
  readByte(): MaybePromise<number | null> {
    return awaitable(this.#r < this.#w ? this.#buf[this.#r++] : this.#readByteSlow());
  }

  async #readByteSlow(): Promise<number | null> {
    while (this.#r === this.#w) {
      if (this.#err !== null) this.#takeErr();
      if (this.#eof) return null;
      await this.#fill();
    }
    return this.#buf[this.#r++];
  }

  /**
   * Returns the next `n` bytes without consuming them. The view is valid until the next read.
   *
   * @returns `n` bytes, or fewer at end of stream.
   * @throws ErrBufferFull if `n` exceeds the buffer size; ErrNegativeCount if `n < 0`.
   */
  peek(n: number): MaybePromise<Uint8Array> {
    if (n < 0) throw ErrNegativeCount;
    if (n > this.#buf.length) throw ErrBufferFull;
    if (this.#w - this.#r >= n) return awaitable(this.#buf.subarray(this.#r, this.#r + n));
    return awaitable(this.#peekSlow(n));
  }

  async #peekSlow(n: number): Promise<Uint8Array> {
    while (this.#w - this.#r < n && !this.#eof && this.#err === null) await this.#fill();
    if (this.#w - this.#r < n && this.#r === this.#w && this.#err !== null) this.#takeErr();
    return this.#buf.subarray(this.#r, this.#r + Math.min(n, this.#w - this.#r));
  }

  /**
   * Skips the next `n` bytes.
   *
   * @returns the number of bytes skipped (fewer than `n` only at end of stream).
   */
  discard(n: number): MaybePromise<number> {
    return awaitable(this.#discard(n));
  }

  async #discard(n: number): Promise<number> {
    if (n < 0) throw ErrNegativeCount;
    let left = n;
    for (;;) {
      const k = Math.min(left, this.#w - this.#r);
      this.#r += k;
      left -= k;
      if (left === 0) return n;
      if (this.#err !== null) this.#takeErr();
      if (this.#eof) return n - left;
      await this.#fill();
    }
  }

  /**
   * Finds `delim` in the buffer, reading as needed. Sets `full` when the buffer filled first.
   * @returns the data up to and including `delim` (or everything left at end of stream, or the
   *   whole buffer when full), or null at end of stream with nothing left.
   */
  #scanSlice(delim: number): MaybePromise<Uint8Array | null> {
    this.#full = false;
    const i = this.#buf.indexOf(delim, this.#r);
    if (i >= 0 && i < this.#w) {
      const s = this.#buf.subarray(this.#r, i + 1);
      this.#r = i + 1;
      return s;
    }
    return this.#scanSliceSlow(delim);
  }

  async #scanSliceSlow(delim: number): Promise<Uint8Array | null> {
    let searched = this.#w - this.#r;
    for (;;) {
      if (this.#eof || this.#err !== null) {
        if (this.#r === this.#w) {
          if (this.#err !== null) this.#takeErr();
          return null;
        }
        const s = this.#buf.subarray(this.#r, this.#w);
        this.#r = this.#w;
        return s;
      }
      if (this.#w - this.#r >= this.#buf.length) {
        this.#full = true;
        const s = this.#buf.subarray(this.#r, this.#w);
        this.#r = this.#w;
        return s;
      }
      await this.#fill(); // may move the unread data to the front: `searched` is relative to r
      const i = this.#buf.indexOf(delim, this.#r + searched);
      if (i >= 0 && i < this.#w) {
        const s = this.#buf.subarray(this.#r, i + 1);
        this.#r = i + 1;
        return s;
      }
      searched = this.#w - this.#r;
    }
  }

  /**
   * Reads until the first `delim` and returns a view of the data including it (Go's
   * `ReadSlice`). The view is valid until the next read.
   *
   * @returns the data (without `delim` only when the stream ended first), or `null` at end of
   *   stream.
   * @throws ErrBufferFull if the buffer fills before `delim` (the buffered data is consumed).
   */
  readSlice(delim: number | string): MaybePromise<Uint8Array | null> {
    const r = this.#scanSlice(delimByte(delim));
    // At once, the delimiter was found: `full` is false.
    return awaitable(r instanceof Promise ? this.#readSliceSlow(r) : r);
  }

  async #readSliceSlow(r: Promise<Uint8Array | null>): Promise<Uint8Array | null> {
    const s = await r;
    if (this.#full) throw ErrBufferFull;
    return s;
  }

  /**
   * Reads until the first `delim` and returns a copy of the data including it (Go's
   * `ReadBytes`); lines longer than the buffer are fine.
   *
   * @returns the bytes (the last piece of a stream may lack `delim`), or `null` at end of
   *   stream.
   */
  readBytes(delim: number | string): MaybePromise<Buffer | null> {
    return awaitable(this.#readBytes(delim));
  }

  #readBytes(delim: number | string): MaybePromise<Buffer | null> {
    const d = delimByte(delim);
    const r = this.#scanSlice(d);
    if (r instanceof Promise || this.#full) return this.#collect(d, r);
    return r === null ? null : Buffer.from(r);
  }

  async #collect(d: number, first: MaybePromise<Uint8Array | null>): Promise<Buffer | null> {
    let s = await first;
    if (s === null) return null;
    const parts: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      parts.push(this.#full ? Buffer.from(s) : s);
      total += s.length;
      if (!this.#full) break;
      s = await this.#scanSlice(d);
      if (s === null) break;
    }
    return concat(parts, total);
  }

  /**
   * Reads until the first `delim` (Go's `ReadString`).
   *
   * @param delim a one-byte (ASCII) delimiter, e.g. '\n'.
   * @returns the text including `delim` (the last piece of a stream may lack it), decoded as
   *   UTF-8, or `null` at end of stream.
   * @example const line = await br.readString('\n');
   */
  readString(delim: number | string): MaybePromise<string | null> {
    const d = delimByte(delim);
    const r = this.#scanSlice(d);
    if (r instanceof Promise || this.#full) return awaitable(this.#readStringSlow(this.#collect(d, r)));
    // At once, `r` is a view of the buffer: decode it in place, without copying it first.
    if (r === null) return awaitable(null);
    const start = r.byteOffset - this.#buf.byteOffset;
    return awaitable(this.#buf.toString('utf8', start, start + r.length));
  }

  async #readStringSlow(b: Promise<Buffer | null>): Promise<string | null> {
    const x = await b;
    return x === null ? null : x.toString('utf8');
  }

  /**
   * Reads one line, without its "\n" or "\r\n" (Go's `ReadLine`, a low-level primitive: most
   * callers want {@link readString} or a `Scanner`). A line longer than the buffer comes
   * in pieces with `isPrefix` true. The view is valid until the next read.
   *
   * @returns the line and whether it continues, or `null` at end of stream.
   */
  readLine(): MaybePromise<{ line: Uint8Array; isPrefix: boolean } | null> {
    const r = this.#scanSlice(10);
    return awaitable(r instanceof Promise ? this.#readLineSlow(r) : this.#line(r));
  }

  async #readLineSlow(r: Promise<Uint8Array | null>): Promise<{ line: Uint8Array; isPrefix: boolean } | null> {
    return this.#line(await r);
  }

  #line(s: Uint8Array | null): { line: Uint8Array; isPrefix: boolean } | null {
    if (s === null) return null;
    if (this.#full) {
      // Keep a trailing '\r' for the next piece if it may be half of "\r\n".
      if (s.length > 0 && s[s.length - 1] === 13) {
        this.#r--;
        s = s.subarray(0, s.length - 1);
      }
      return { line: s, isPrefix: true };
    }
    let end = s.length;
    if (end > 0 && s[end - 1] === 10) {
      end--;
      if (end > 0 && s[end - 1] === 13) end--;
    }
    return { line: s.subarray(0, end), isPrefix: false };
  }
}
