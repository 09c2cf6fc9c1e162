/**
 * Go's package io, for strand's blocking-style streams: the Reader and Writer interfaces, and
 * `copy` (io.Copy), `readFull`, `readAll`. Its errors (`ErrUnexpectedEOF`, `ErrShortWrite`,
 * `ioCodes`) are in `errors.ts`.
 *
 * Conventions (Deno std's, which fit JavaScript): end of stream is a value, `null`, not an
 * error; every operation returns a plain value when it completes at once and a promise
 * otherwise, so `await` works on both and loops can skip the `await` when they get a plain value.
 *
 * @module
 */

import { immediate, type MaybePromise } from '../runtime/index.js';
import { ErrShortWrite, ErrUnexpectedEOF, errInvalidArg } from './errors.js';

/** A value or a promise of it (the runtime's). */
export type { MaybePromise };

/**
 * Something to read bytes from (Go's `io.Reader`).
 *
 * `read(p)` reads up to `p.length` bytes into `p` and returns how many, or `null` at end of
 * stream. It returns 0 only when `p` is empty. It must not retain `p` once the read completes.
 */
export interface Reader {
  read(p: Uint8Array): MaybePromise<number | null>;
}

/**
 * Something to write bytes to (Go's `io.Writer`).
 *
 * `write(p)` writes all of `p` (or throws) and returns `p.length`. It must not retain `p` once the
 * write completes: the caller may reuse it.
 */
export interface Writer {
  write(p: Uint8Array): MaybePromise<number>;
}

/** A Reader that can copy itself to a Writer without an intermediate buffer (Go's `io.WriterTo`). */
export interface WriterTo {
  writeTo(w: Writer): Promise<number>;
}

/** A Writer that can fill itself from a Reader (Go's `io.ReaderFrom`). */
export interface ReaderFrom {
  readFrom(r: Reader): Promise<number>;
}

/** Size of the buffer {@link copy} allocates when neither side can copy by itself. */
export const COPY_BUFFER_SIZE = 64 * 1024;

/**
 * Copies from `src` to `dst` until end of stream (Go's `io.Copy`). If `src` implements
 * {@link WriterTo} (a `Conn` does: zero-copy) it is used; else if `dst` implements
 * {@link ReaderFrom}, that; else a loop through one 64 KiB buffer, reused for the whole copy,
 * that awaits only the operations that did not complete at once.
 *
 * @returns the number of bytes copied.
 * @throws the first error of a read or a write; `ErrShortWrite` if `dst` wrote less than given.
 * @example
 * ```ts
 * // An echo server's connection handler:
 * const n = await copy(conn, conn);
 * ```
 */
export function copy(dst: Writer, src: Reader): Promise<number> {
  if (typeof (src as Partial<WriterTo>).writeTo === 'function') return (src as unknown as WriterTo).writeTo(dst);
  if (typeof (dst as Partial<ReaderFrom>).readFrom === 'function') return (dst as unknown as ReaderFrom).readFrom(src);
  return copyBuffer(dst, src, Buffer.allocUnsafe(COPY_BUFFER_SIZE));
}

/**
 * Like {@link copy}, but always through the given buffer (Go's `io.CopyBuffer` without the
 * WriterTo/ReaderFrom shortcuts).
 *
 * @param buf the buffer to copy through (not empty).
 * @returns the number of bytes copied.
 */
export async function copyBuffer(dst: Writer, src: Reader, buf: Uint8Array): Promise<number> {
  if (buf.length === 0) throw errInvalidArg('io: empty buffer in copyBuffer');
  let total = 0;
  for (;;) {
    let n = src.read(buf);
    if (n instanceof Promise) n = await n;
    if (n === null) return immediate(total); // see immediate(): keeps the caller's attribution
    if (n === 0) continue;
    let m = dst.write(n === buf.length ? buf : buf.subarray(0, n));
    if (m instanceof Promise) m = await m;
    if (m !== n) throw ErrShortWrite;
    total += n;
  }
}

/**
 * Reads exactly `buf.length` bytes into `buf` (Go's `io.ReadFull`).
 *
 * @returns `buf.length`, or `null` if the stream ended before any byte was read.
 * @throws `ErrUnexpectedEOF` if it ended after some bytes but before `buf` was full; whatever
 *   `r.read` throws.
 * @example const header = Buffer.alloc(4); if ((await readFull(conn, header)) === null) return;
 */
export function readFull(r: Reader, buf: Uint8Array): MaybePromise<number | null> {
  // Try-first: a fill that completes at once needs no promise.
  let got = 0;
  while (got < buf.length) {
    const n = r.read(got === 0 ? buf : buf.subarray(got));
    if (n instanceof Promise) return readFullSlow(r, buf, got, n);
    if (n === null) {
      if (got === 0) return null;
      throw ErrUnexpectedEOF;
    }
    got += n;
  }
  return buf.length;
}

async function readFullSlow(r: Reader, buf: Uint8Array, got: number, pending: Promise<number | null>): Promise<number | null> {
  let n: number | null = await pending;
  for (;;) {
    if (n === null) {
      if (got === 0) return immediate(null);
      throw ErrUnexpectedEOF;
    }
    got += n;
    if (got >= buf.length) return immediate(buf.length);
    const m = r.read(buf.subarray(got));
    n = m instanceof Promise ? await m : m;
  }
}

/**
 * Reads until end of stream and returns everything read (Go's `io.ReadAll`).
 *
 * @param limit fail with a RangeError-like StrandError (`STRAND_ERR_INVALID_ARG`) once more
 *   than this many bytes were read (default: no limit). Use it on untrusted input.
 * @returns the bytes (empty at once-EOF).
 * @throws whatever `r.read` throws.
 * @example const body = await readAll(conn, 1 << 20);
 */
export async function readAll(r: Reader, limit = Infinity): Promise<Buffer> {
  let buf = Buffer.allocUnsafe(512);
  let len = 0;
  for (;;) {
    if (len === buf.length) {
      const bigger = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(bigger, 0, 0, len);
      buf = bigger;
    }
    let n = r.read(buf.subarray(len));
    if (n instanceof Promise) n = await n;
    if (n === null) return immediate(buf.subarray(0, len));
    len += n;
    if (len > limit) throw errInvalidArg(`io: readAll: more than ${limit} bytes`);
  }
}
