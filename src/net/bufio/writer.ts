/**
 * bufio.Writer (Go's bufio.go, writing half; Deno's buf_writer.ts): buffers a strand Writer.
 *
 * Invariants (one goroutine at a time uses a Writer, as in Go; every field is this class's own):
 * - The unflushed data is `buf[0..n)`; only a completed write of it to `wr` empties it.
 * - `err` is sticky: once the underlying writer failed, every later write and flush throws it,
 *   until `reset`.
 *
 * Fast paths: a write that fits the buffer copies into it and returns a plain value; only a
 * write that must flush returns a promise. The public methods hand their result over through
 * the runtime's `awaitable`; inside the class the `#` versions are called.
 *
 * @module
 */

import { awaitable } from '../../runtime/index.js';
import type { MaybePromise, Writer as IOWriter } from '../io.js';
import { DEFAULT_BUF_SIZE } from './reader.js';

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
  #buf: Buffer;
  #n = 0;
  #wr: IOWriter;
  #err: unknown = null;

  /**
   * @param wr the writer to buffer.
   * @param size the buffer size (default 4096).
   */
  constructor(wr: IOWriter, size = DEFAULT_BUF_SIZE) {
    this.#wr = wr;
    this.#buf = Buffer.allocUnsafe(size > 0 ? size : DEFAULT_BUF_SIZE);
  }

  /** The buffer size. */
  get size(): number {
    return this.#buf.length;
  }

  /** Bytes buffered and not yet flushed. */
  buffered(): number {
    return this.#n;
  }

  /** Free space in the buffer. */
  available(): number {
    return this.#buf.length - this.#n;
  }

  /**
   * Writes all of `p`: into the buffer, flushing as it fills (a large write with an empty
   * buffer goes straight through).
   *
   * @returns `p.length`.
   * @throws the underlying writer's error (sticky).
   */
  write(p: Uint8Array): MaybePromise<number> {
    return awaitable(this.#write(p));
  }

  #write(p: Uint8Array): MaybePromise<number> {
    if (this.#err !== null) throw this.#err;
    if (p.length <= this.#buf.length - this.#n) {
      this.#buf.set(p, this.#n);
      this.#n += p.length;
      return p.length;
    }
    return this.#writeSlow(p);
  }

  async #writeSlow(p: Uint8Array): Promise<number> {
    const total = p.length;
    while (p.length > this.#buf.length - this.#n) {
      if (this.#n === 0) {
        // Nothing buffered: write through, no copy.
        await this.#through(p);
        return total;
      }
      const k = this.#buf.length - this.#n;
      this.#buf.set(p.subarray(0, k), this.#n);
      this.#n += k;
      p = p.subarray(k);
      await this.#flush();
    }
    this.#buf.set(p, this.#n);
    this.#n += p.length;
    return total;
  }

  async #through(p: Uint8Array): Promise<void> {
    try {
      await this.#wr.write(p);
    } catch (err) {
      this.#err = err;
      throw err;
    }
  }

  /** Writes a string as UTF-8 (see {@link write}). */
  writeString(s: string): MaybePromise<number> {
    if (this.#err !== null) throw this.#err;
    if (s.length * 3 <= this.#buf.length - this.#n) {
      const k = this.#buf.write(s, this.#n, 'utf8');
      this.#n += k;
      return awaitable(k);
    }
    return awaitable(this.#write(Buffer.from(s, 'utf8')));
  }

  /** Writes one byte. */
  writeByte(c: number): MaybePromise<number> {
    if (this.#err !== null) throw this.#err;
    if (this.#n < this.#buf.length) {
      this.#buf[this.#n++] = c;
      return awaitable(1);
    }
    return awaitable(this.#write(Uint8Array.of(c)));
  }

  /**
   * Writes the buffered data to the underlying writer.
   *
   * @throws the underlying writer's error (sticky).
   */
  flush(): MaybePromise<void> {
    return awaitable(this.#flush());
  }

  #flush(): MaybePromise<void> {
    if (this.#err !== null) throw this.#err;
    if (this.#n === 0) return;
    let r: MaybePromise<number>;
    try {
      r = this.#wr.write(this.#buf.subarray(0, this.#n));
    } catch (err) {
      this.#err = err;
      throw err;
    }
    if (r instanceof Promise) return this.#flushed(r);
    this.#n = 0;
  }

  async #flushed(r: Promise<number>): Promise<void> {
    try {
      await r;
    } catch (err) {
      this.#err = err;
      throw err;
    }
    this.#n = 0;
  }

  /** Discards unflushed data and errors, and writes to `wr` from now on. */
  reset(wr: IOWriter): void {
    this.#wr = wr;
    this.#n = 0;
    this.#err = null;
  }
}
