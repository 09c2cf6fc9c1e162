/**
 * bufio.Scanner (Go's scan.go): reads a stream token by token — lines, words, bytes, or any
 * {@link SplitFunc} — with a maximum token size that fails cleanly.
 *
 * Invariants (one goroutine at a time uses a Scanner, as in Go; every field is this class's own):
 * - The data read and not yet consumed is `buf[start..end)`; `buf` is allocated at the first
 *   scan (or given by `buffer()`) and grows, doubling, up to `maxTokenSize`.
 * - `token` is a view of the last token: valid until the next scan.
 * - `done` is final: once set (end of stream, an error, a too-long token) every scan returns
 *   false. `error` is the first error (never end of stream).
 * - `scanCalled` freezes the configuration (`buffer`, `split`).
 * - `emptyReads` counts tokens in a row that consumed nothing ({@link ErrNoProgress} after
 *   {@link MAX_EMPTY_READS}).
 *
 * Fast paths, as chan.ts does for receives: a scan whose token is already buffered returns a
 * plain value; the slow path is one async method. `for await` steps through a small iterator
 * object, not an async generator: a buffered token costs the settled promise the iterator
 * protocol requires and the result object, no closure; a token that must be read costs the one
 * promise of the slow path, which builds the iterator result itself.
 *
 * @module
 */

import { awaitable, immediate } from '../../runtime/index.js';
import { ErrNoProgress, ErrTooLong, errInvalidArg } from '../errors.js';
import type { MaybePromise, Reader as IOReader } from '../io.js';
import { DEFAULT_BUF_SIZE, MAX_EMPTY_READS } from './reader.js';

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

// Results of #tryToken.
const FINISHED = 0;
const FOUND = 1;
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
  #r: IOReader;
  #split: SplitFunc;
  #maxTokenSize = MAX_SCAN_TOKEN_SIZE;
  #buf: Buffer | null = null;
  #initialSize = DEFAULT_BUF_SIZE;
  #start = 0;
  #end = 0;
  #token: Uint8Array | null = null;
  #error: unknown = null;
  #eof = false;
  #done = false;
  #scanCalled = false;
  #emptyReads = 0;

  /**
   * @param r the reader to scan.
   * @param split how to split it (default {@link scanLines}).
   */
  constructor(r: IOReader, split: SplitFunc = scanLines) {
    this.#r = r;
    this.#split = split;
  }

  /**
   * Sets the initial buffer and the maximum token size (Go's `Scanner.Buffer`). Must be called
   * before the first scan.
   *
   * @param buf the initial buffer (its length is the initial size).
   * @param max the largest token allowed, in bytes.
   */
  buffer(buf: Uint8Array, max: number): void {
    if (this.#scanCalled) throw errInvalidArg('bufio.Scanner: Buffer called after Scan');
    this.#buf = Buffer.from(buf.buffer, buf.byteOffset, buf.length);
    this.#initialSize = buf.length;
    this.#maxTokenSize = max;
  }

  /** Sets the split function. Must be called before the first scan. */
  split(fn: SplitFunc): void {
    if (this.#scanCalled) throw errInvalidArg('bufio.Scanner: Split called after Scan');
    this.#split = fn;
  }

  /** The first error that stopped the scan (not end of stream), or null. */
  err(): Error | null {
    return this.#error as Error | null;
  }

  /** The last token, as a view valid until the next scan. */
  bytes(): Uint8Array {
    return this.#token ?? new Uint8Array(0);
  }

  /** The last token, decoded as UTF-8. */
  text(): string {
    const t = this.#token;
    if (t === null) return '';
    // A token inside the buffer (what the split functions here return) is decoded in place:
    // the same decoder, without allocating a view.
    const b = this.#buf;
    if (b !== null && t.buffer === b.buffer) {
      const off = t.byteOffset - b.byteOffset;
      if (off >= 0 && off + t.length <= b.length) return b.toString('utf8', off, off + t.length);
    }
    return Buffer.from(t.buffer, t.byteOffset, t.length).toString('utf8');
  }

  /**
   * Advances to the next token.
   *
   * @returns true when a token is available (see {@link text}, {@link bytes}); false at the end
   *   of the stream or on an error (see {@link err}).
   */
  scan(): MaybePromise<boolean> {
    if (this.#done) return awaitable(false);
    this.#scanCalled = true;
    const r = this.#tryToken();
    if (r !== MORE) return awaitable(r === FOUND);
    return awaitable(this.#scanSlow(false) as Promise<boolean>);
  }

  /**
   * One step of `for await`: like {@link scan}, but the result is the iterator's, and the
   * scan's error is thrown (synchronously when known at once, as a rejection otherwise).
   */
  #next(): Promise<IteratorResult<string>> {
    let r: MaybePromise<IteratorResult<string>>;
    if (this.#done) r = this.#result(false);
    else {
      this.#scanCalled = true;
      const t = this.#tryToken();
      if (t === MORE) return awaitable(this.#scanSlow(true)) as Promise<IteratorResult<string>>;
      r = this.#result(t === FOUND);
    }
    // At once: a settled promise, awaited right behind the hook immediate() may have queued.
    const v = immediate(r);
    return v instanceof Promise ? v : Promise.resolve(v);
  }

  #result(found: boolean): IteratorResult<string> {
    if (found) return { value: this.text(), done: false };
    if (this.#error !== null) throw this.#error;
    return { value: undefined, done: true };
  }

  /** FOUND: a token is in `token`; FINISHED: the scan is over (`done`); MORE: needs data. */
  #tryToken(): number {
    if (this.#end > this.#start || this.#eof || this.#error !== null) {
      let adv: number;
      let tok: Uint8Array | null;
      const data = this.#buf === null ? new Uint8Array(0) : this.#buf.subarray(this.#start, this.#end);
      try {
        [adv, tok] = this.#split(data, this.#eof || this.#error !== null);
      } catch (err) {
        this.#error = err;
        this.#done = true;
        return FINISHED;
      }
      if (adv < 0 || adv > data.length) {
        this.#error = errInvalidArg('bufio.Scanner: SplitFunc returns advance count beyond input');
        this.#done = true;
        return FINISHED;
      }
      this.#start += adv;
      if (tok !== null) {
        this.#token = tok;
        if (adv > 0) this.#emptyReads = 0;
        else if (++this.#emptyReads > MAX_EMPTY_READS) {
          this.#error = ErrNoProgress;
          this.#done = true;
          return FINISHED;
        }
        return FOUND;
      }
      if (adv > 0) return this.#tryToken();
    }
    if (this.#eof || this.#error !== null) {
      this.#start = this.#end = 0;
      this.#token = null;
      this.#done = true;
      return FINISHED;
    }
    return MORE;
  }

  /**
   * Reads until a token is found or the scan is over.
   *
   * @param iter build the iterator's result (see {@link #next}) instead of a boolean, so a
   *   token that had to be read costs one promise, not two.
   */
  async #scanSlow(iter: boolean): Promise<boolean | IteratorResult<string>> {
    for (;;) {
      if (!this.#makeRoom()) {
        this.#token = null;
        this.#done = true;
        return iter ? this.#result(false) : false;
      }
      let reads = 0;
      for (;;) {
        let n: number | null;
        try {
          const p = this.#r.read(this.#buf!.subarray(this.#end));
          n = p instanceof Promise ? await p : p;
        } catch (err) {
          this.#error = err;
          break;
        }
        if (n === null) {
          this.#eof = true;
          break;
        }
        this.#end += n;
        if (n > 0) break;
        if (++reads > MAX_EMPTY_READS) {
          this.#error = ErrNoProgress;
          break;
        }
      }
      const r = this.#tryToken();
      if (r !== MORE) return iter ? this.#result(r === FOUND) : r === FOUND;
    }
  }

  /** Makes free space at the end of the buffer; false (with ErrTooLong) if it cannot grow. */
  #makeRoom(): boolean {
    if (this.#buf === null) this.#buf = Buffer.allocUnsafe(Math.min(this.#initialSize, this.#maxTokenSize));
    const buf = this.#buf;
    if (this.#start > 0 && (this.#end === buf.length || this.#start > buf.length / 2)) {
      buf.copyWithin(0, this.#start, this.#end);
      this.#end -= this.#start;
      this.#start = 0;
    }
    if (this.#end === buf.length) {
      if (buf.length >= this.#maxTokenSize) {
        this.#error = ErrTooLong;
        return false;
      }
      const bigger = Buffer.allocUnsafe(Math.min(buf.length * 2 || DEFAULT_BUF_SIZE, this.#maxTokenSize));
      buf.copy(bigger, 0, this.#start, this.#end);
      this.#end -= this.#start;
      this.#start = 0;
      this.#buf = bigger;
    }
    return true;
  }

  /**
   * Yields each token as text; throws the scan's error, if any, at the end. (Not an async
   * generator: each step hands its result over like {@link scan} does, so the loop body keeps its
   * goroutine attribution.)
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<string> {
    return new ScanIterator(() => this.#next());
  }
}

/** The iterator of `for await (const token of scanner)`: one per loop, not per token. */
class ScanIterator implements AsyncIterableIterator<string> {
  readonly #step: () => Promise<IteratorResult<string>>;

  constructor(step: () => Promise<IteratorResult<string>>) {
    this.#step = step;
  }

  next(): Promise<IteratorResult<string>> {
    return this.#step();
  }

  return(): Promise<IteratorResult<string>> {
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<string> {
    return this;
  }
}
