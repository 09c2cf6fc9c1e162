/**
 * Writing: wait only when something is queued.
 *
 * `write(buf)` hands `buf` to `socket.write` (fd.ts, the fast path). When libuv writes it all to
 * the kernel at once, `writableLength` is back to 0 and write returns at once: the caller may
 * reuse `buf`. Otherwise Node still holds `buf`, so the writer parks until the queue is empty.
 * `writeOwned(buf)` is for buffers the caller gives away (the zero-copy chunks of `io.copy`): it
 * queues them and parks only while the queue is over Node's high-water mark. Either way a peer
 * that does not read parks the writer: memory stays bounded.
 *
 * To learn that the queue emptied without a callback closure per socket: a write that returned
 * false is followed by a 'drain' event (one shared listener, events.ts); otherwise the poller
 * appends an empty "marker" write whose callback (allocated only then, on the slow path) runs
 * once everything before it is written. Either way {@link flushed} moves the parked writer (or
 * the splice writing into this socket) on.
 *
 * Writers of one socket are served one at a time, in order (Go serializes writes on an fd).
 *
 * Invariant: a parked writer waiting for an empty queue always has `DRAIN_PENDING` or
 * `MARK_PENDING` set ({@link armFlush}), so it is always woken.
 *
 * @module
 */

import { WaitQueue, pollData, pollReady } from '../../runtime/netpoll.js';
import { ErrClosed, ErrDeadlineExceeded } from './errors.js';
import { IOKind, IOWait, parkIO } from './iowait.js';
import { Side, failSide } from './side.js';
import { CLOSED, DRAIN_PENDING, GONE, MARK_PENDING, WDL, WPARKED, WSHUT, epipe, extra, wrap, type FDState } from './state.js';
import { kErr, kExtra, kState, kWriter } from './_symbols.js';

const EMPTY = Buffer.alloc(0);

/**
 * @internal Throws what a write on `fd` fails with now, if anything: closed, deadline passed,
 * socket error, or the writing side shut down (EPIPE).
 */
export function checkWrite(fd: FDState): void {
  const st = fd[kState];
  if ((st & CLOSED) !== 0) throw wrap(fd, 'write', ErrClosed);
  if ((st & WDL) !== 0) throw wrap(fd, 'write', ErrDeadlineExceeded);
  const err = fd[kErr];
  if (err !== null) throw wrap(fd, 'write', err);
  if ((st & (WSHUT | GONE)) !== 0) throw wrap(fd, 'write', epipe());
}

/**
 * @internal The write path when the fast one does not apply (fd.ts): fails, or parks until the
 * data can be handed to Node (or, queued behind another writer, until that one is done).
 */
export function writeSlow(fd: FDState, buf: Uint8Array, kind: IOKind): number | Promise<number> {
  checkWrite(fd);
  if (buf.length === 0) return 0;
  const st = fd[kState];
  // Another goroutine is parked writing: queue behind it (Go serializes writes on one fd).
  if ((st & WPARKED) !== 0) return queueWriter(fd, buf, kind);
  // Queued data first: park; the write is issued on our behalf once the queue has drained.
  return parkWriter(fd, buf, kind, buf.length);
}

/** @internal Parks the writer until Node's queue is empty; `buf`, if given, is written then. */
export function parkWriter(fd: FDState, buf: Uint8Array | null, kind: IOKind, n: number): Promise<number> {
  let io = fd[kWriter];
  if (io === null) io = fd[kWriter] = new IOWait(kind, buf, n);
  else {
    io.kind = kind;
    io.buf = buf;
    io.n = n;
  }
  fd[kState] |= WPARKED;
  armFlush(fd);
  return parkIO(io);
}

/** @internal Queues a writer behind the parked one. */
export function queueWriter(fd: FDState, buf: Uint8Array | null, kind: IOKind): Promise<number> {
  const io = new IOWait(kind, buf, buf === null ? 0 : buf.length);
  const h = extra(fd).w;
  (h.q ??= new WaitQueue()).push(io.w);
  return parkIO(io);
}

/**
 * Node's queue is empty and the parked writer waited for that: issue its deferred data, ready
 * it once Node no longer needs its buffer, then move on to queued writers.
 */
function pumpWriters(fd: FDState): void {
  const s = fd.socket;
  let io = fd[kWriter]!;
  for (;;) {
    const buf = io.buf;
    if (buf !== null) {
      io.buf = null;
      if (!s.write(buf)) fd[kState] |= DRAIN_PENDING;
      if (io.kind === IOKind.Write && s.writableLength !== 0) {
        armFlush(fd);
        return; // stays parked until its data has left the queue
      }
    }
    fd[kState] &= ~WPARKED;
    pollReady(io.w, io.n);
    const x = fd[kExtra];
    const next = x !== null && x.w.q !== null ? x.w.q.shift() : null;
    if (next === null) return;
    fd[kWriter] = io = pollData<IOWait>(next);
    fd[kState] |= WPARKED;
    if (s.writableLength !== 0) {
      armFlush(fd);
      return;
    }
  }
}

/** @internal Lets queued writers go on after a splice into this socket ended. */
export function afterSpliceWriters(fd: FDState): void {
  const x = fd[kExtra];
  const q = x !== null ? x.w.q : null;
  if (q === null || q.length === 0) return;
  const st = fd[kState];
  const err = fd[kErr];
  if ((st & (CLOSED | WDL)) !== 0 || err !== null) {
    failSide(fd, Side.Write, (st & CLOSED) !== 0 ? ErrClosed : (st & WDL) !== 0 ? ErrDeadlineExceeded : err!);
    return;
  }
  fd[kWriter] = pollData<IOWait>(q.shift()!);
  fd[kState] |= WPARKED;
  if (fd.socket.writableLength === 0) pumpWriters(fd);
  else armFlush(fd);
}

// ---- flush notifications -----------------------------------------------------------------------

/**
 * @internal Makes sure the poller hears when `fd`'s write queue is empty: a 'drain' is coming, or
 * a marker write is queued (its callback is the only closure the write path allocates, and only
 * here).
 */
export function armFlush(fd: FDState): void {
  if ((fd[kState] & (DRAIN_PENDING | MARK_PENDING)) !== 0) return;
  fd[kState] |= MARK_PENDING;
  fd.socket.write(EMPTY, (err?: Error | null) => onMark(fd, err ?? null));
}

function onMark(fd: FDState, err: Error | null): void {
  fd[kState] &= ~MARK_PENDING;
  if (err !== null) {
    if ((fd[kState] & CLOSED) !== 0) return;
    if (fd[kErr] === null) fd[kErr] = err;
    failSide(fd, Side.Write, err);
    return;
  }
  flushed(fd);
}

/** @internal 'drain' was emitted: the write queue is empty. */
export function drained(fd: FDState): void {
  fd[kState] &= ~DRAIN_PENDING;
  flushed(fd);
}

/** The write queue may be empty now: move the parked writer or splice on. */
function flushed(fd: FDState): void {
  if ((fd[kState] & WPARKED) === 0) return;
  const io = fd[kWriter]!;
  if (io.sp !== null) io.sp.step();
  else if (fd.socket.writableLength === 0) pumpWriters(fd);
  else armFlush(fd);
}
