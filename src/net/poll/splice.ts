/**
 * Splice: copying a socket to a socket (Go's `TCPConn.ReadFrom` with splice(2)).
 *
 * `splice(src, dst)` parks the copying goroutine once for the whole copy: each chunk that
 * arrives on `src` is handed to `dst` from the 'data' event itself, `src` is paused while `dst`
 * has more than `SPLICE_QUEUE_MAX` queued and resumed on 'drain', and the goroutine is readied at
 * end of stream (once `dst` has flushed) or on the first error, deadline or close. No goroutine
 * runs per chunk, and an idle copy holds one waiter.
 *
 * Invariants (single JS thread):
 * - While a splice runs, its IOWait is `src`'s parked reader (`RPARKED`) and `dst`'s parked
 *   writer (`WPARKED`), with `sp` pointing to the {@link Splice}; the other poller files reach the
 *   splice only through `sp` (iowait.ts `SpliceOps`).
 * - {@link Splice.end} runs once: it clears both bits and `sp` before readying the goroutine, then
 *   lets the readers and writers queued behind the splice go on.
 *
 * @module
 */

import { pollReady, pollReadyError } from '../../runtime/netpoll.js';
import { ErrClosed, ErrDeadlineExceeded } from './errors.js';
import { IOKind, IOWait, parkIO, type SpliceOps } from './iowait.js';
import { serveQueuedReaders, take } from './read.js';
import { afterSpliceWriters, armFlush, checkWrite } from './write.js';
import {
  CLOSED,
  DRAIN_PENDING,
  EOF,
  GONE,
  PAUSED,
  RDL,
  RPARKED,
  SPLICE_QUEUE_MAX,
  WPARKED,
  pause,
  wrap,
  type FDState,
} from './state.js';
import { kChunk, kErr, kReader, kState, kWriter } from './_symbols.js';

/** A copy in progress from `src` to `dst`. */
class Splice implements SpliceOps {
  readonly src: FDState;
  readonly dst: FDState;
  /** The parked goroutine: `src`'s reader and `dst`'s writer. */
  readonly io: IOWait;
  /** Bytes handed to `dst` so far. */
  n = 0;

  constructor(src: FDState, dst: FDState, io: IOWait) {
    this.src = src;
    this.dst = dst;
    this.io = io;
  }

  /** Hands one chunk to the destination. */
  write(c: Buffer): void {
    const dst = this.dst;
    this.n += c.length;
    if (!dst.socket.write(c)) dst[kState] |= DRAIN_PENDING;
  }

  /** A chunk arrived on the source: hand it over, pause the source if the destination is full. */
  data(c: Buffer): void {
    this.write(c);
    const dst = this.dst;
    if ((dst[kState] & DRAIN_PENDING) !== 0 && dst.socket.writableLength >= SPLICE_QUEUE_MAX) pause(this.src);
  }

  /**
   * Moves the copy on after anything happened: finishes it at end of stream once the destination
   * has flushed, pauses the source while the destination is over its high-water mark, resumes it
   * otherwise.
   */
  step(): void {
    const src = this.src;
    const dst = this.dst;
    if ((src[kState] & EOF) !== 0 || ((src[kState] & GONE) !== 0 && src[kErr] === null)) {
      if (dst.socket.writableLength === 0) this.end(null);
      else armFlush(dst);
      return;
    }
    if ((dst[kState] & DRAIN_PENDING) !== 0 && dst.socket.writableLength >= SPLICE_QUEUE_MAX) {
      pause(src);
    } else if ((src[kState] & PAUSED) !== 0) {
      src[kState] &= ~PAUSED;
      src.socket.resume();
    }
  }

  /** Ends the copy: clears both sides, readies the goroutine, lets queued readers/writers go on. */
  end(err: Error | null): void {
    const { src, dst, io } = this;
    src[kState] &= ~RPARKED;
    dst[kState] &= ~WPARKED;
    io.sp = null;
    io.kind = IOKind.Read;
    // The IOWait stays the source's reader; the destination's next writer gets its own, so a
    // later read of `src` and write of `dst` never park on one waiter.
    if (dst[kWriter] === io) dst[kWriter] = null;
    if (err === null) pollReady(io.w, this.n);
    else pollReadyError(io.w, err);
    serveQueuedReaders(src);
    afterSpliceWriters(dst);
  }
}

/**
 * @internal Copies everything `src` receives to `dst` until end of stream, parking the calling
 * goroutine once ("IO wait") for the whole copy.
 *
 * @returns the number of bytes copied (once `dst` has flushed them to the kernel), or `null` when
 *   another goroutine is reading `src` or writing `dst` (the caller then copies chunk by chunk).
 * @throws the owner's wrapping of a read error (op "read") or a write error (op "write").
 */
export function splice(src: FDState, dst: FDState): Promise<number> | null {
  const st = src[kState];
  if ((st & RPARKED) !== 0 || (dst[kState] & WPARKED) !== 0) return null;
  if ((st & CLOSED) !== 0) throw wrap(src, 'read', ErrClosed);
  if ((st & RDL) !== 0) throw wrap(src, 'read', ErrDeadlineExceeded);
  checkWrite(dst);
  let io = src[kReader];
  if (io === null) io = src[kReader] = new IOWait(IOKind.Splice, null, 0);
  else {
    io.kind = IOKind.Splice;
    io.buf = null;
  }
  const sp = new Splice(src, dst, io);
  io.sp = sp;
  src[kState] |= RPARKED;
  dst[kState] |= WPARKED;
  dst[kWriter] = io;
  const p = parkIO<number>(io);
  // Hand over what is kept, then let the events drive the copy.
  while (src[kChunk] !== null) sp.write(take(src, null) as Buffer);
  sp.step();
  return p;
}
