/**
 * Sudogs: goroutines waiting on channels, and the wait queues that hold them (Go's `sudog` and
 * `waitq`). A sudog is the runtime's one {@link Waiter} shape: a plain blocking send/recv
 * allocates one; a select's cases *are* sudogs (see select.ts), so a blocking select allocates no
 * per-case waiter, and the select itself parks on one more Waiter whose `value` is its cases.
 *
 * Invariants:
 * - A sudog is in at most one queue at a time; `queued` is true exactly while it is, and `chan`
 *   is then the channel whose queue holds it (for a select case, `chan` is always its channel).
 * - A select's case sudogs all point (`sel`) to the select's waiter; once one case completes,
 *   every other case of that select is removed from its queue before the goroutine is readied,
 *   so no stale case can ever be matched (Go marks them `selectDone`; we unlink eagerly).
 *
 * @module
 */

import { Waiter, ready, readyError } from './goroutine.js';

/** A channel wait entry; the runtime's single waiter shape. */
export type Sudog = Waiter;

/** How a receive delivers its result. */
export const RecvMode = {
  /** `v := <-ch`: the value, `undefined` once closed. */
  Zero: 0,
  /** The value, or the {@link CLOSED} sentinel once closed (allocation-free comma-ok). */
  Sentinel: 1,
  /** `v, ok := <-ch` as a `[value, ok]` tuple. */
  Tuple: 2,
  /** An iterator result, `{ value, done }` (a channel's `for await`). */
  Iter: 3,
} as const;

/** The result of a receive completed with `v`/`ok`, in the form `mode` asks for. */
export function recvResult(mode: RecvMode, v: unknown, ok: boolean): unknown {
  switch (mode) {
    case RecvMode.Zero:
      return ok ? v : undefined;
    case RecvMode.Sentinel:
      return ok ? v : CLOSED;
    case RecvMode.Tuple:
      return [v, ok];
    default:
      return ok ? { value: v, done: false } : { value: undefined, done: true };
  }
}
export type RecvMode = (typeof RecvMode)[keyof typeof RecvMode];

/** Returned by receives (in the sentinel form) once a channel is closed and drained. */
export const CLOSED: unique symbol = Symbol('strand.closed');
/** The type of {@link CLOSED}. */
export type Closed = typeof CLOSED;
/** Returned by the try forms when the operation would block. */
export const WOULD_BLOCK: unique symbol = Symbol('strand.wouldBlock');
/** The type of {@link WOULD_BLOCK}. */
export type WouldBlock = typeof WOULD_BLOCK;

/** The minimal view of a channel the queues need. */
export interface QueueOwner {
  _recvHead: Sudog | null;
  _recvTail: Sudog | null;
  _sendHead: Sudog | null;
  _sendTail: Sudog | null;
  _onRecvWaiters: ((waiting: boolean) => void) | null;
}

/** Appends `s` to `c`'s receive queue. */
export function enqueueRecv(c: QueueOwner, s: Sudog): void {
  s.chan = c;
  s.queued = true;
  s.next = null;
  const tail = c._recvTail;
  s.prev = tail;
  if (tail === null) {
    c._recvHead = s;
    if (c._onRecvWaiters !== null) c._onRecvWaiters(true);
  } else {
    tail.next = s;
  }
  c._recvTail = s;
}

/** Appends `s` to `c`'s send queue. */
export function enqueueSend(c: QueueOwner, s: Sudog): void {
  s.chan = c;
  s.queued = true;
  s.next = null;
  const tail = c._sendTail;
  s.prev = tail;
  if (tail === null) c._sendHead = s;
  else tail.next = s;
  c._sendTail = s;
}

/** Removes `s` from whichever queue of its channel holds it (no-op if not queued). */
export function dequeue(s: Sudog): void {
  if (!s.queued) return;
  const c = s.chan as QueueOwner;
  const { prev, next } = s;
  if (s.isSend) {
    if (prev === null) c._sendHead = next;
    else prev.next = next;
    if (next === null) c._sendTail = prev;
    else next.prev = prev;
  } else {
    if (prev === null) c._recvHead = next;
    else prev.next = next;
    if (next === null) c._recvTail = prev;
    else next.prev = prev;
    if (c._recvHead === null && c._onRecvWaiters !== null) c._onRecvWaiters(false);
  }
  s.queued = false;
  s.next = s.prev = null;
}

/** Withdraws every other case of `s`'s select from its queue (the select is decided). */
function withdrawSiblings(s: Sudog, sel: Waiter): void {
  const cases = sel.value as readonly Sudog[];
  for (let i = 0; i < cases.length; i++) {
    const k = cases[i];
    if (k !== s) dequeue(k);
    k.sel = null;
  }
}

/**
 * Completes a parked receiver `r` (already dequeued) with `v`/`ok`: readies a plain receiver with
 * its result form, or decides `r`'s select in favour of this case.
 */
export function completeRecv(r: Sudog, v: unknown, ok: boolean): void {
  const sel = r.sel;
  if (sel !== null) {
    r.value = v;
    r.ok = ok;
    withdrawSiblings(r, sel);
    ready(sel, r.idx);
    return;
  }
  ready(r, recvResult(r.mode as RecvMode, v, ok));
}

/** Completes a parked sender `s` (already dequeued): its value has been taken. */
export function completeSend(s: Sudog): void {
  const sel = s.sel;
  if (sel !== null) {
    withdrawSiblings(s, sel);
    ready(sel, s.idx);
    return;
  }
  s.value = undefined;
  ready(s, undefined);
}

/** Fails a parked sender `s` (already dequeued) with `err` (its channel was closed). */
export function failSend(s: Sudog, err: unknown): void {
  const sel = s.sel;
  if (sel !== null) {
    withdrawSiblings(s, sel);
    readyError(sel, err);
    return;
  }
  readyError(s, err);
}
