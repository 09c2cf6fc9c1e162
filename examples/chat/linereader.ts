/**
 * Lines of at most N bytes over a `bufio.Reader`, surviving over-long lines.
 *
 * Go's `bufio.Scanner` stops for good at its first too-long token; a chat server wants to
 * refuse that one line and keep serving the client. So this uses the lower-level
 * `bufio.Reader.readLine()` with a buffer of N + 2 bytes (room for the line and its `\r\n`):
 * a line that does not fit comes back in pieces with `isPrefix` set. {@link LineReader.readLine}
 * then returns {@link TOO_LONG} once and skips the remaining pieces, so an over-long line is
 * never buffered whole.
 *
 * @module
 */

import { bufio, type Reader } from 'strand/net';

/** Returned by {@link LineReader.readLine} for a line longer than the limit. */
export const TOO_LONG: unique symbol = Symbol('line too long');

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
  readonly #br: bufio.Reader;
  readonly #max: number;

  /**
   * @param r - the source (a net Conn).
   * @param max - longest accepted line in bytes, without its line ending.
   */
  constructor(r: Reader, max: number) {
    this.#br = new bufio.Reader(r, max + 2);
    this.#max = max;
  }

  /**
   * Reads the next line.
   *
   * @returns the line without its ending; {@link TOO_LONG} for a refused line; `null` at end
   * of stream (a last line without a newline is returned first).
   * @throws whatever the underlying `read` throws.
   */
  async readLine(): Promise<string | typeof TOO_LONG | null> {
    const r = await this.#br.readLine();
    if (r === null) return null;
    if (!r.isPrefix) return r.line.length > this.#max ? TOO_LONG : Buffer.from(r.line.buffer, r.line.byteOffset, r.line.length).toString('utf8');
    // Too long: skip the rest of it, piece by piece.
    for (;;) {
      const rest = await this.#br.readLine();
      if (rest === null || !rest.isPrefix) return TOO_LONG;
    }
  }
}
