/**
 * A line reader that survives over-long lines: unlike Go's bufio.Scanner, which stops for good
 * at its first too-long token, a chat server wants to refuse that one line and keep serving
 * the client. {@link LineReader.readLine} returns {@link TOO_LONG} once for a line over the
 * limit, discards the rest of it (without buffering it) up to the next newline, and then goes
 * on with the next line.
 *
 * Invariants: `buf[start, end)` holds received bytes not yet returned; `scanned` (start ≤
 * scanned ≤ end) is where the newline search resumes; while `discarding`, bytes up to the next
 * newline belong to a refused line and are dropped.
 *
 * @module
 */

import type { MaybePromise } from '../../src/index.js';

/** Returned by {@link LineReader.readLine} for a line longer than the limit. */
export const TOO_LONG: unique symbol = Symbol('line too long');

/** Anything with a blocking-style `read` (a net Conn). */
export interface ByteReader {
  read(buf: Uint8Array): MaybePromise<number | null>;
}

const NL = 0x0a;
const CR = 0x0d;

/**
 * Reads `\n`- or `\r\n`-terminated lines of at most `max` bytes, decoded as UTF-8 (invalid
 * sequences become U+FFFD).
 *
 * @example
 * ```ts
 * const lines = new LineReader(conn, 4096);
 * for (let l = await lines.readLine(); l !== null; l = await lines.readLine()) {
 *   if (l === TOO_LONG) continue; // refused
 *   handle(l);
 * }
 * ```
 */
export class LineReader {
  private readonly r: ByteReader;
  private readonly max: number;
  private readonly buf: Buffer;
  private start = 0;
  private end = 0;
  private scanned = 0;
  private discarding = false;
  private eof = false;

  /**
   * @param r - the source.
   * @param max - longest accepted line in bytes, without its line ending.
   */
  constructor(r: ByteReader, max: number) {
    this.r = r;
    this.max = max;
    this.buf = Buffer.allocUnsafe(Math.max(2 * max, 4096));
  }

  /**
   * Reads the next line.
   *
   * @returns the line without its ending; {@link TOO_LONG} for a refused line; `null` at end
   * of stream (a last line without a newline is returned first).
   * @throws whatever the underlying `read` throws.
   */
  async readLine(): Promise<string | typeof TOO_LONG | null> {
    const buf = this.buf;
    for (;;) {
      const i = buf.indexOf(NL, this.scanned);
      if (i >= 0 && i < this.end) {
        const s = this.start;
        this.start = this.scanned = i + 1;
        if (this.discarding) {
          this.discarding = false;
          continue;
        }
        const e = i > s && buf[i - 1] === CR ? i - 1 : i;
        if (e - s > this.max) return TOO_LONG;
        return buf.toString('utf8', s, e);
      }
      this.scanned = this.end;
      if (this.discarding) {
        this.start = this.end = this.scanned = 0;
      } else if (this.end - this.start > this.max + 1) {
        // No newline within max + 1 bytes (room for a '\r'): refuse the line, drop the rest.
        this.discarding = true;
        this.start = this.end = this.scanned = 0;
        return TOO_LONG;
      }
      if (this.eof) {
        if (this.discarding || this.start === this.end) return null;
        const s = this.start;
        this.start = this.scanned = this.end;
        return this.end - s > this.max ? TOO_LONG : buf.toString('utf8', s, this.end);
      }
      if (this.start > 0) {
        buf.copy(buf, 0, this.start, this.end);
        this.end -= this.start;
        this.scanned -= this.start;
        this.start = 0;
      }
      const n = await this.r.read(buf.subarray(this.end));
      if (n === null) this.eof = true;
      else this.end += n;
    }
  }
}
