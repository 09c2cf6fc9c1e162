/**
 * Go's package bufio over strand's Reader/Writer interfaces (a Conn, or anything else that
 * implements them): a buffered Reader (`readString`, `readLine`, `readBytes`, `peek`...), a
 * buffered Writer (`write`, `flush`), and a Scanner that splits a stream into lines or words
 * with a maximum token size.
 *
 * Every operation first works with what is buffered and returns a plain value when it can;
 * only when it must read (or write) through does it return a promise. End of stream is `null`.
 * Slices returned by `readSlice`, `peek`, `readLine` and `Scanner.bytes()` point into the buffer
 * and are valid only until the next call on the same object; the others are copies.
 *
 * @module
 */

import { StrandError } from '../runtime/errors.js';
import { awaitable } from '../runtime/goroutine.js';
import type { MaybePromise, Reader as IOReader, Writer as IOWriter } from './io.js';

/** Error codes of bufio. */
export const bufioCodes = {
  BUFFER_FULL: 'STRAND_ERR_BUFIO_BUFFER_FULL',
  TOO_LONG: 'STRAND_ERR_BUFIO_TOO_LONG',
  NO_PROGRESS: 'STRAND_ERR_BUFIO_NO_PROGRESS',
  NEGATIVE_COUNT: 'STRAND_ERR_BUFIO_NEGATIVE_COUNT',
} as const;

/** `bufio: buffer full`: `readSlice` or `peek` needed more than the buffer holds. */
export const ErrBufferFull: StrandError = new StrandError(bufioCodes.BUFFER_FULL, 'bufio: buffer full');
/** `bufio.Scanner: token too long`: a token (a line...) is longer than the Scanner's maximum. */
export const ErrTooLong: StrandError = new StrandError(bufioCodes.TOO_LONG, 'bufio.Scanner: token too long');
/** `bufio: negative count`. */
export const ErrNegativeCount: StrandError = new StrandError(bufioCodes.NEGATIVE_COUNT, 'bufio: negative count');
/** `multiple Read calls return no data or error`: a Reader that keeps returning 0. */
export const ErrNoProgress: StrandError = new StrandError(bufioCodes.NO_PROGRESS, 'bufio: multiple Read calls return no data or error');

/** Default buffer size of Reader and Writer. */
export const DEFAULT_BUF_SIZE = 4096;
const MIN_READ_BUFFER_SIZE = 16;
/** Reads in a row that may return 0 bytes before {@link ErrNoProgress}. */
const MAX_EMPTY_READS = 100;

function delimByte(delim: number | string): number {
  const d = typeof delim === 'string' ? delim.charCodeAt(0) : delim;
  if (!(d >= 0 && d <= 255) || (typeof delim === 'string' && (delim.length !== 1 || d > 127))) {
    throw new StrandError('STRAND_ERR_INVALID_ARG', `bufio: delimiter must be one byte, got ${JSON.stringify(delim)}`);
  }
  return d;
}

function concat(parts: Uint8Array[], total: number): Buffer {
  return parts.length === 1 ? Buffer.from(parts[0]) : Buffer.concat(parts, total);
}

// ---- Reader ------------------------------------------------------------------------------------

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
  private buf: Buffer;
  /** Unread data is `buf[r..w)`. */
  private r = 0;
  private w = 0;
  private rd: IOReader;
  /** The underlying reader reached its end. */
  private eof = false;
  /** A read error, reported once the buffered data is consumed. */
  private err: unknown = null;
  /** Set by `scanSlice` when the buffer filled without the delimiter. */
  private full = false;

  /**
   * @param rd the reader to buffer.
   * @param size the buffer size (default 4096, at least 16).
   */
  constructor(rd: IOReader, size = DEFAULT_BUF_SIZE) {
    this.rd = rd;
    this.buf = Buffer.allocUnsafe(Math.max(size, MIN_READ_BUFFER_SIZE));
  }

  /** The buffer size. */
  get size(): number {
    return this.buf.length;
  }

  /** Bytes that can be read from the buffer without reading through. */
  buffered(): number {
    return this.w - this.r;
  }

  /** Discards buffered data and state, and reads from `rd` from now on. */
  reset(rd: IOReader): void {
    this.rd = rd;
    this.r = this.w = 0;
    this.eof = false;
    this.err = null;
  }

  /** Reads once from the underlying reader into the free end of the buffer. */
  private fill(): MaybePromise<void> {
    if (this.r > 0) {
      this.buf.copyWithin(0, this.r, this.w);
      this.w -= this.r;
      this.r = 0;
    }
    for (let i = 0; i < MAX_EMPTY_READS; i++) {
      let n: MaybePromise<number | null>;
      try {
        n = this.rd.read(this.buf.subarray(this.w));
      } catch (err) {
        this.err = err;
        return;
      }
      if (n instanceof Promise) return this.filled(n);
      if (n === null) {
        this.eof = true;
        return;
      }
      if (n > 0) {
        this.w += n;
        return;
      }
    }
    this.err = ErrNoProgress;
  }

  private async filled(p: Promise<number | null>): Promise<void> {
    try {
      const n = await p;
      if (n === null) this.eof = true;
      else if (n > 0) this.w += n;
    } catch (err) {
      this.err = err;
    }
  }

  /** Throws the pending read error once (then the reader is at its end). */
  private takeErr(): never {
    const err = this.err;
    this.err = null;
    this.eof = true;
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
    return awaitable(this._read(p));
  }

  /** @internal read without the hand-off to an awaiting caller (for calls inside bufio). */
  _read(p: Uint8Array): MaybePromise<number | null> {
    if (p.length === 0) return 0;
    if (this.r === this.w) return this.readSlow(p);
    const n = Math.min(p.length, this.w - this.r);
    p.set(this.buf.subarray(this.r, this.r + n));
    this.r += n;
    return n;
  }

  private readSlow(p: Uint8Array): MaybePromise<number | null> {
    if (this.err !== null) this.takeErr();
    if (this.eof) return null;
    if (p.length >= this.buf.length) return this.rd.read(p);
    this.r = this.w = 0;
    const f = this.fill();
    if (f instanceof Promise) return f.then(() => this.readAfterFill(p));
    return this.readAfterFill(p);
  }

  private readAfterFill(p: Uint8Array): number | null {
    if (this.r === this.w) {
      if (this.err !== null) this.takeErr();
      return null;
    }
    return this._read(p) as number;
  }

  /**
   * Reads one byte.
   *
   * @returns the byte, or `null` at end of stream.
   */
  readByte(): MaybePromise<number | null> {
    return awaitable(this._readByte());
  }

  /** @internal readByte without the hand-off to an awaiting caller (for calls inside bufio). */
  _readByte(): MaybePromise<number | null> {
    if (this.r < this.w) return this.buf[this.r++];
    return this.readByteSlow();
  }

  private async readByteSlow(): Promise<number | null> {
    while (this.r === this.w) {
      if (this.err !== null) this.takeErr();
      if (this.eof) return null;
      await this.fill();
    }
    return this.buf[this.r++];
  }

  /**
   * Returns the next `n` bytes without consuming them. The view is valid until the next read.
   *
   * @returns `n` bytes, or fewer at end of stream.
   * @throws ErrBufferFull if `n` exceeds the buffer size; ErrNegativeCount if `n < 0`.
   */
  peek(n: number): MaybePromise<Uint8Array> {
    return awaitable(this._peek(n));
  }

  /** @internal peek without the hand-off to an awaiting caller (for calls inside bufio). */
  _peek(n: number): MaybePromise<Uint8Array> {
    if (n < 0) throw ErrNegativeCount;
    if (n > this.buf.length) throw ErrBufferFull;
    if (this.w - this.r >= n) return this.buf.subarray(this.r, this.r + n);
    return this.peekSlow(n);
  }

  private async peekSlow(n: number): Promise<Uint8Array> {
    while (this.w - this.r < n && !this.eof && this.err === null) await this.fill();
    if (this.w - this.r < n && this.r === this.w && this.err !== null) this.takeErr();
    return this.buf.subarray(this.r, this.r + Math.min(n, this.w - this.r));
  }

  /**
   * Skips the next `n` bytes.
   *
   * @returns the number of bytes skipped (fewer than `n` only at end of stream).
   */
  discard(n: number): MaybePromise<number> {
    return awaitable(this._discard(n));
  }

  private async _discard(n: number): Promise<number> {
    if (n < 0) throw ErrNegativeCount;
    let left = n;
    for (;;) {
      const k = Math.min(left, this.w - this.r);
      this.r += k;
      left -= k;
      if (left === 0) return n;
      if (this.err !== null) this.takeErr();
      if (this.eof) return n - left;
      await this.fill();
    }
  }

  /**
   * Finds `delim` in the buffer, reading as needed. Sets `full` when the buffer filled first.
   * @returns the data up to and including `delim` (or everything left at end of stream, or the
   *   whole buffer when full), or null at end of stream with nothing left.
   */
  private scanSlice(delim: number): MaybePromise<Uint8Array | null> {
    this.full = false;
    let i = this.buf.indexOf(delim, this.r);
    if (i >= 0 && i < this.w) {
      const s = this.buf.subarray(this.r, i + 1);
      this.r = i + 1;
      return s;
    }
    return this.scanSliceSlow(delim);
  }

  private async scanSliceSlow(delim: number): Promise<Uint8Array | null> {
    let searched = this.w - this.r;
    for (;;) {
      if (this.eof || this.err !== null) {
        if (this.r === this.w) {
          if (this.err !== null) this.takeErr();
          return null;
        }
        const s = this.buf.subarray(this.r, this.w);
        this.r = this.w;
        return s;
      }
      if (this.w - this.r >= this.buf.length) {
        this.full = true;
        const s = this.buf.subarray(this.r, this.w);
        this.r = this.w;
        return s;
      }
      await this.fill(); // may move the unread data to the front: `searched` is relative to r
      const i = this.buf.indexOf(delim, this.r + searched);
      if (i >= 0 && i < this.w) {
        const s = this.buf.subarray(this.r, i + 1);
        this.r = i + 1;
        return s;
      }
      searched = this.w - this.r;
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
    return awaitable(this._readSlice(delim));
  }

  /** @internal readSlice without the hand-off to an awaiting caller (for calls inside bufio). */
  _readSlice(delim: number | string): MaybePromise<Uint8Array | null> {
    const r = this.scanSlice(delimByte(delim));
    if (r instanceof Promise) {
      return r.then((s) => {
        if (this.full) throw ErrBufferFull;
        return s;
      });
    }
    return r;
  }

  /**
   * Reads until the first `delim` and returns a copy of the data including it (Go's
   * `ReadBytes`); lines longer than the buffer are fine.
   *
   * @returns the bytes (the last piece of a stream may lack `delim`), or `null` at end of
   *   stream.
   */
  readBytes(delim: number | string): MaybePromise<Buffer | null> {
    return awaitable(this._readBytes(delim));
  }

  /** @internal readBytes without the hand-off to an awaiting caller (for calls inside bufio). */
  _readBytes(delim: number | string): MaybePromise<Buffer | null> {
    const d = delimByte(delim);
    const r = this.scanSlice(d);
    if (r instanceof Promise || this.full) return this.collect(d, r);
    return r === null ? null : Buffer.from(r);
  }

  private async collect(d: number, first: MaybePromise<Uint8Array | null>): Promise<Buffer | null> {
    let s = await first;
    if (s === null) return null;
    const parts: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      parts.push(this.full ? Buffer.from(s) : s);
      total += s.length;
      if (!this.full) break;
      s = await this.scanSlice(d);
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
    return awaitable(this._readString(delim));
  }

  /** @internal readString without the hand-off to an awaiting caller (for calls inside bufio). */
  _readString(delim: number | string): MaybePromise<string | null> {
    const b = this._readBytes(delim);
    if (b instanceof Promise) return b.then((x) => (x === null ? null : x.toString('utf8')));
    return b === null ? null : b.toString('utf8');
  }

  /**
   * Reads one line, without its "\n" or "\r\n" (Go's `ReadLine`, a low-level primitive: most
   * callers want {@link readString} or a {@link Scanner}). A line longer than the buffer comes
   * in pieces with `isPrefix` true. The view is valid until the next read.
   *
   * @returns the line and whether it continues, or `null` at end of stream.
   */
  readLine(): MaybePromise<{ line: Uint8Array; isPrefix: boolean } | null> {
    return awaitable(this._readLine());
  }

  /** @internal readLine without the hand-off to an awaiting caller (for calls inside bufio). */
  _readLine(): MaybePromise<{ line: Uint8Array; isPrefix: boolean } | null> {
    const r = this.scanSlice(10);
    if (r instanceof Promise) return r.then((s) => this.line(s));
    return this.line(r);
  }

  private line(s: Uint8Array | null): { line: Uint8Array; isPrefix: boolean } | null {
    if (s === null) return null;
    if (this.full) {
      // Keep a trailing '\r' for the next piece if it may be half of "\r\n".
      if (s.length > 0 && s[s.length - 1] === 13) {
        this.r--;
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

// ---- Writer ------------------------------------------------------------------------------------

/**
 * A buffered writer (Go's `bufio.Writer`). Call {@link flush} to send what is buffered. After a
 * write error, every later write and flush fails with it.
 *
 * @example
 * ```ts
 * const bw = new Writer(conn);
 * await bw.writeString('hello\n');
 * await bw.flush();
 * ```
 */
export class Writer implements IOWriter {
  private buf: Buffer;
  private n = 0;
  private wr: IOWriter;
  private err: unknown = null;

  /**
   * @param wr the writer to buffer.
   * @param size the buffer size (default 4096).
   */
  constructor(wr: IOWriter, size = DEFAULT_BUF_SIZE) {
    this.wr = wr;
    this.buf = Buffer.allocUnsafe(size > 0 ? size : DEFAULT_BUF_SIZE);
  }

  /** The buffer size. */
  get size(): number {
    return this.buf.length;
  }

  /** Bytes buffered and not yet flushed. */
  buffered(): number {
    return this.n;
  }

  /** Free space in the buffer. */
  available(): number {
    return this.buf.length - this.n;
  }

  /**
   * Writes all of `p`: into the buffer, flushing as it fills (a large write with an empty
   * buffer goes straight through).
   *
   * @returns `p.length`.
   * @throws the underlying writer's error (sticky).
   */
  write(p: Uint8Array): MaybePromise<number> {
    return awaitable(this._write(p));
  }

  /** @internal write without the hand-off to an awaiting caller (for calls inside bufio). */
  _write(p: Uint8Array): MaybePromise<number> {
    if (this.err !== null) throw this.err;
    if (p.length <= this.buf.length - this.n) {
      this.buf.set(p, this.n);
      this.n += p.length;
      return p.length;
    }
    return this.writeSlow(p);
  }

  private async writeSlow(p: Uint8Array): Promise<number> {
    const total = p.length;
    while (p.length > this.buf.length - this.n) {
      if (this.n === 0) {
        // Nothing buffered: write through, no copy.
        await this.through(p);
        return total;
      }
      const k = this.buf.length - this.n;
      this.buf.set(p.subarray(0, k), this.n);
      this.n += k;
      p = p.subarray(k);
      await this._flush();
    }
    this.buf.set(p, this.n);
    this.n += p.length;
    return total;
  }

  private async through(p: Uint8Array): Promise<void> {
    try {
      await this.wr.write(p);
    } catch (err) {
      this.err = err;
      throw err;
    }
  }

  /** Writes a string as UTF-8 (see {@link write}). */
  writeString(s: string): MaybePromise<number> {
    return awaitable(this._writeString(s));
  }

  /** @internal writeString without the hand-off to an awaiting caller (for calls inside bufio). */
  _writeString(s: string): MaybePromise<number> {
    if (this.err !== null) throw this.err;
    if (s.length * 3 <= this.buf.length - this.n) {
      const k = this.buf.write(s, this.n, 'utf8');
      this.n += k;
      return k;
    }
    return this._write(Buffer.from(s, 'utf8'));
  }

  /** Writes one byte. */
  writeByte(c: number): MaybePromise<number> {
    return awaitable(this._writeByte(c));
  }

  /** @internal writeByte without the hand-off to an awaiting caller (for calls inside bufio). */
  _writeByte(c: number): MaybePromise<number> {
    if (this.err !== null) throw this.err;
    if (this.n < this.buf.length) {
      this.buf[this.n++] = c;
      return 1;
    }
    return this._write(Uint8Array.of(c));
  }

  /**
   * Writes the buffered data to the underlying writer.
   *
   * @throws the underlying writer's error (sticky).
   */
  flush(): MaybePromise<void> {
    return awaitable(this._flush());
  }

  /** @internal flush without the hand-off to an awaiting caller (for calls inside bufio). */
  _flush(): MaybePromise<void> {
    if (this.err !== null) throw this.err;
    if (this.n === 0) return;
    let r: MaybePromise<number>;
    try {
      r = this.wr.write(this.buf.subarray(0, this.n));
    } catch (err) {
      this.err = err;
      throw err;
    }
    if (r instanceof Promise) return this.flushed(r);
    this.n = 0;
  }

  private async flushed(r: Promise<number>): Promise<void> {
    try {
      await r;
    } catch (err) {
      this.err = err;
      throw err;
    }
    this.n = 0;
  }

  /** Discards unflushed data and errors, and writes to `wr` from now on. */
  reset(wr: IOWriter): void {
    this.wr = wr;
    this.n = 0;
    this.err = null;
  }
}

// ---- Scanner -----------------------------------------------------------------------------------

/**
 * Splits the unread data into tokens (Go's `bufio.SplitFunc`). Given the data not yet consumed
 * and whether the stream has ended, returns how many bytes to consume and the token (or null to
 * ask for more data). Throw to stop the scan with an error.
 */
export type SplitFunc = (data: Uint8Array, atEOF: boolean) => [advance: number, token: Uint8Array | null];

/** Go's `bufio.MaxScanTokenSize`: the default maximum token size (64 KiB). */
export const MAX_SCAN_TOKEN_SIZE = 64 * 1024;

/** Splits lines, dropping the "\n" or "\r\n" (Go's `ScanLines`); the last line may lack one. */
export const scanLines: SplitFunc = (data, atEOF) => {
  if (atEOF && data.length === 0) return [0, null];
  const i = data.indexOf(10);
  if (i >= 0) return [i + 1, dropCR(data.subarray(0, i))];
  if (atEOF) return [data.length, dropCR(data)];
  return [0, null];
};

function dropCR(b: Uint8Array): Uint8Array {
  return b.length > 0 && b[b.length - 1] === 13 ? b.subarray(0, b.length - 1) : b;
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** Splits space-separated words (ASCII white space), dropping the spaces (Go's `ScanWords`). */
export const scanWords: SplitFunc = (data, atEOF) => {
  let start = 0;
  while (start < data.length && isSpace(data[start])) start++;
  for (let i = start; i < data.length; i++) {
    if (isSpace(data[i])) return [i + 1, data.subarray(start, i)];
  }
  if (atEOF && data.length > start) return [data.length, data.subarray(start)];
  return [start, null];
};

/** Splits into single bytes (Go's `ScanBytes`). */
export const scanBytes: SplitFunc = (data, atEOF) => {
  if (atEOF && data.length === 0) return [0, null];
  if (data.length === 0) return [0, null];
  return [1, data.subarray(0, 1)];
};

const MORE = 2;

/**
 * Reads a stream token by token: lines by default, or words, bytes, or any {@link SplitFunc}
 * (Go's `bufio.Scanner`). A token longer than the maximum (64 KiB by default, see
 * {@link Scanner.buffer}) stops the scan: `scan()` returns false and `err()` is
 * {@link ErrTooLong}.
 *
 * @example
 * ```ts
 * const sc = new Scanner(conn);
 * while (await sc.scan()) console.log(sc.text());
 * if (sc.err() !== null) throw sc.err();
 * // or: for await (const line of new Scanner(conn)) ...   (throws the error at the end)
 * ```
 */
export class Scanner implements AsyncIterable<string> {
  private r: IOReader;
  private splitFn: SplitFunc;
  private maxTokenSize = MAX_SCAN_TOKEN_SIZE;
  private buf: Buffer | null = null;
  private initialSize = DEFAULT_BUF_SIZE;
  private start = 0;
  private end = 0;
  private token: Uint8Array | null = null;
  private error: unknown = null;
  private eof = false;
  private done = false;
  private scanCalled = false;
  private emptyReads = 0;

  /**
   * @param r the reader to scan.
   * @param split how to split it (default {@link scanLines}).
   */
  constructor(r: IOReader, split: SplitFunc = scanLines) {
    this.r = r;
    this.splitFn = split;
  }

  /**
   * Sets the initial buffer and the maximum token size (Go's `Scanner.Buffer`). Must be called
   * before the first scan.
   *
   * @param buf the initial buffer (its length is the initial size).
   * @param max the largest token allowed, in bytes.
   */
  buffer(buf: Uint8Array, max: number): void {
    if (this.scanCalled) throw new StrandError('STRAND_ERR_INVALID_ARG', 'bufio.Scanner: Buffer called after Scan');
    this.buf = Buffer.from(buf.buffer, buf.byteOffset, buf.length);
    this.initialSize = buf.length;
    this.maxTokenSize = max;
  }

  /** Sets the split function. Must be called before the first scan. */
  split(fn: SplitFunc): void {
    if (this.scanCalled) throw new StrandError('STRAND_ERR_INVALID_ARG', 'bufio.Scanner: Split called after Scan');
    this.splitFn = fn;
  }

  /** The first error that stopped the scan (not end of stream), or null. */
  err(): Error | null {
    return this.error as Error | null;
  }

  /** The last token, as a view valid until the next scan. */
  bytes(): Uint8Array {
    return this.token ?? new Uint8Array(0);
  }

  /** The last token, decoded as UTF-8. */
  text(): string {
    const t = this.token;
    if (t === null) return '';
    return Buffer.from(t.buffer, t.byteOffset, t.length).toString('utf8');
  }

  /**
   * Advances to the next token.
   *
   * @returns true when a token is available (see {@link text}, {@link bytes}); false at the end
   *   of the stream or on an error (see {@link err}).
   */
  scan(): MaybePromise<boolean> {
    return awaitable(this._scan());
  }

  /** @internal scan without the hand-off to an awaiting caller (for calls inside bufio). */
  _scan(): MaybePromise<boolean> {
    if (this.done) return false;
    this.scanCalled = true;
    const r = this.tryToken();
    if (r !== MORE) return r === 1;
    return this.scanSlow();
  }

  /** 1: token found, 0: finished, MORE: needs data. */
  private tryToken(): number {
    if (this.end > this.start || this.eof || this.error !== null) {
      let adv: number;
      let tok: Uint8Array | null;
      const data = this.buf === null ? new Uint8Array(0) : this.buf.subarray(this.start, this.end);
      try {
        [adv, tok] = this.splitFn(data, this.eof || this.error !== null);
      } catch (err) {
        this.error = err;
        this.done = true;
        return 0;
      }
      if (adv < 0 || adv > data.length) {
        this.error = new StrandError('STRAND_ERR_INVALID_ARG', 'bufio.Scanner: SplitFunc returns advance count beyond input');
        this.done = true;
        return 0;
      }
      this.start += adv;
      if (tok !== null) {
        this.token = tok;
        if (adv > 0) this.emptyReads = 0;
        else if (++this.emptyReads > MAX_EMPTY_READS) {
          this.error = ErrNoProgress;
          this.done = true;
          return 0;
        }
        return 1;
      }
      if (adv > 0) return this.tryToken();
    }
    if (this.eof || this.error !== null) {
      this.start = this.end = 0;
      this.token = null;
      this.done = true;
      return 0;
    }
    return MORE;
  }

  private async scanSlow(): Promise<boolean> {
    for (;;) {
      if (!this.makeRoom()) {
        this.token = null;
        this.done = true;
        return false;
      }
      let reads = 0;
      for (;;) {
        let n: number | null;
        try {
          const p = this.r.read(this.buf!.subarray(this.end));
          n = p instanceof Promise ? await p : p;
        } catch (err) {
          this.error = err;
          break;
        }
        if (n === null) {
          this.eof = true;
          break;
        }
        this.end += n;
        if (n > 0) break;
        if (++reads > MAX_EMPTY_READS) {
          this.error = ErrNoProgress;
          break;
        }
      }
      const r = this.tryToken();
      if (r !== MORE) return r === 1;
    }
  }

  /** Makes free space at the end of the buffer; false (with ErrTooLong) if it cannot grow. */
  private makeRoom(): boolean {
    if (this.buf === null) this.buf = Buffer.allocUnsafe(Math.min(this.initialSize, this.maxTokenSize));
    const buf = this.buf;
    if (this.start > 0 && (this.end === buf.length || this.start > buf.length / 2)) {
      buf.copyWithin(0, this.start, this.end);
      this.end -= this.start;
      this.start = 0;
    }
    if (this.end === buf.length) {
      if (buf.length >= this.maxTokenSize) {
        this.error = ErrTooLong;
        return false;
      }
      const bigger = Buffer.allocUnsafe(Math.min(buf.length * 2 || DEFAULT_BUF_SIZE, this.maxTokenSize));
      buf.copy(bigger, 0, this.start, this.end);
      this.end -= this.start;
      this.start = 0;
      this.buf = bigger;
    }
    return true;
  }

  /**
   * Yields each token as text; throws the scan's error, if any, at the end. (Not an async
   * generator: each step hands its result over like {@link scan} does, so the loop body keeps its
   * goroutine attribution.)
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<string> {
    const next = (): Promise<IteratorResult<string>> => {
      const r = this._scan();
      const step = (ok: boolean): IteratorResult<string> => {
        if (ok) return { value: this.text(), done: false };
        if (this.error !== null) throw this.error;
        return { value: undefined, done: true };
      };
      if (r instanceof Promise) return awaitable(r.then(step)) as Promise<IteratorResult<string>>;
      return Promise.resolve(awaitable(step(r)));
    };
    const it: AsyncIterableIterator<string> = {
      next,
      return: () => Promise.resolve({ value: undefined, done: true }),
      [Symbol.asyncIterator]: () => it,
    };
    return it;
  }
}
