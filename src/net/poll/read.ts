/**
 * Reading: pull-based, zero-copy, flow-controlled.
 *
 * Node delivers data as 'data' chunks (events.ts). A chunk that arrives while a reader is parked
 * is copied straight into the reader's buffer; whatever does not fit — or a chunk that arrives
 * while nobody reads — is kept as is (`kChunk`/`kOff`, no copy) and the socket is paused, so that
 * TCP pushes back on the sender while the goroutine is not reading. (Node stops reading from the
 * kernel once its own readable buffer holds ~16 KiB; a paused connection holds at most that plus
 * one chunk.) A read that finds data kept returns a plain number at once (fd.ts, the fast path);
 * only a read that must wait resumes the socket and parks ("IO wait"). EOF ('end') is `null`.
 *
 * Readers of one socket are served one at a time, in order (Go serializes reads on an fd): a
 * reader that finds another parked queues behind it, and is served when that one is readied.
 *
 * Invariants: see state.ts (`RPARKED` implies nothing is kept; kept chunks are in order).
 *
 * @module
 */

import { WaitQueue, pollData, pollReady, pollReadyError } from '../../runtime/netpoll.js';
import { ErrClosed, ErrDeadlineExceeded } from './errors.js';
import { IOKind, IOWait, parkIO } from './iowait.js';
import { CLOSED, EOF, GONE, HANDSHAKING, PAUSED, RDL, RPARKED, extra, wrap, type FDState } from './state.js';
import { kChunk, kErr, kExtra, kOff, kReader, kState } from './_symbols.js';

/**
 * @internal Consumes kept data (requires `kChunk !== null`): copies into `buf`, or returns the rest
 * of the chunk itself when `buf` is null.
 */
export function take(fd: FDState, buf: Uint8Array | null): number | Buffer {
  const c = fd[kChunk]!;
  const off = fd[kOff];
  if (buf === null) {
    nextChunk(fd);
    return off === 0 ? c : c.subarray(off);
  }
  const avail = c.length - off;
  if (avail <= buf.length) {
    buf.set(off === 0 ? c : c.subarray(off));
    nextChunk(fd);
    return avail;
  }
  const n = buf.length;
  buf.set(c.subarray(off, off + n));
  fd[kOff] = off + n;
  return n;
}

/** Drops the consumed chunk, taking the next kept one if any. */
function nextChunk(fd: FDState): void {
  const x = fd[kExtra];
  fd[kChunk] = x !== null && x.more.length > 0 ? x.more.shift()! : null;
  fd[kOff] = 0;
}

/**
 * @internal The read path when the fast one does not apply (fd.ts): fails, completes at once, or
 * parks. `buf` null is a chunk read.
 */
export function readSlow(fd: FDState, buf: Uint8Array | null): any {
  const st = fd[kState];
  if ((st & CLOSED) !== 0) throw wrap(fd, 'read', ErrClosed);
  if ((st & RDL) !== 0) throw wrap(fd, 'read', ErrDeadlineExceeded);
  if ((st & RPARKED) !== 0) {
    // Another goroutine is parked reading: queue behind it (Go serializes reads on one fd).
    const io = new IOWait(IOKind.Read, buf, 0);
    const h = extra(fd).r;
    (h.q ??= new WaitQueue()).push(io.w);
    return parkIO(io);
  }
  if (buf !== null && buf.length === 0) return 0;
  if (fd[kChunk] !== null) return take(fd, buf);
  if ((st & EOF) !== 0) return null;
  const err = fd[kErr];
  if (err !== null) throw wrap(fd, 'read', err);
  if ((st & GONE) !== 0) return null;
  let io = fd[kReader];
  if (io === null) io = fd[kReader] = new IOWait(IOKind.Read, buf, 0);
  else {
    io.kind = IOKind.Read;
    io.buf = buf;
  }
  parkReader(fd);
  return parkIO(io);
}

/** @internal Marks the reader parked and lets data flow again. */
export function parkReader(fd: FDState): void {
  const st = fd[kState];
  fd[kState] = (st | RPARKED) & ~PAUSED;
  if ((st & PAUSED) !== 0) fd.socket.resume();
}

/** @internal Readies the parked reader with a result, then serves readers queued behind it. */
export function readyReader(fd: FDState, v: number | Buffer | null): void {
  fd[kState] &= ~RPARKED;
  const io = fd[kReader]!;
  io.buf = null;
  pollReady(io.w, v);
  serveQueuedReaders(fd);
}

/**
 * @internal Serves queued readers from what is kept; the first that must wait becomes the parked
 * one. Also called when a splice from this socket ends.
 */
export function serveQueuedReaders(fd: FDState): void {
  const x = fd[kExtra];
  const q = x !== null ? x.r.q : null;
  if (q === null) return;
  for (let w = q.shift(); w !== null; w = q.shift()) {
    const io = pollData<IOWait>(w);
    const buf = io.buf;
    io.buf = null;
    const st = fd[kState];
    const err = fd[kErr];
    if ((st & CLOSED) !== 0) pollReadyError(w, wrap(fd, 'read', ErrClosed));
    else if ((st & RDL) !== 0) pollReadyError(w, wrap(fd, 'read', ErrDeadlineExceeded));
    else if (io.kind === IOKind.Handshake && (st & HANDSHAKING) !== 0) {
      // A TLS handshake wait (handshake.ts) still waiting: it ends as a read would, or parks.
      if (err !== null) pollReadyError(w, wrap(fd, 'read', err));
      else if ((st & (EOF | GONE)) !== 0) pollReady(w, null);
      else {
        io.buf = buf;
        fd[kReader] = io;
        parkReader(fd);
        return;
      }
    } else if (buf !== null && buf.length === 0) pollReady(w, 0);
    else if (fd[kChunk] !== null) pollReady(w, take(fd, buf));
    else if ((st & EOF) !== 0 || (err === null && (st & GONE) !== 0)) pollReady(w, null);
    else if (err !== null) pollReadyError(w, wrap(fd, 'read', err));
    else {
      io.buf = buf;
      fd[kReader] = io;
      parkReader(fd);
      return;
    }
  }
}
