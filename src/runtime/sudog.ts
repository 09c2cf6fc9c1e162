/**
 * Sudogs: goroutines waiting on channels, and how they complete (Go's `sudog`). A sudog is the
 * runtime's one {@link Waiter} shape: a plain blocking send/recv allocates one; a select's cases
 * *are* sudogs (see select.ts), so a blocking select allocates no per-case waiter, and the
 * select itself parks on one more Waiter whose `value` is its cases.
 *
 * The queues that hold them are waitq.ts's circular lists, one `#private` field each in the
 * channel (chan.ts): a channel allocates nothing for them.
 *
 * Invariants:
 * - A sudog is in at most one queue at a time; `queued` is true exactly while it is, and `chan`
 *   is then the channel whose queue holds it (for a select case, `chan` is always its channel).
 * - A channel's watch hook (`kWatch`) is called exactly when its receive queue goes from empty
 *   to non-empty (true) and back (false).
 * - A select's case sudogs all point (`sel`) to the select's waiter; once one case completes,
 *   every other case of that select is removed from its queue before the goroutine is readied,
 *   so no stale case can ever be matched (Go marks them `selectDone`; we unlink eagerly).
 *
 * @module
 */

import { ready, readyError } from './goroutine.js';
import type { Waiter } from './waiter.js';
import { kDequeue } from './_symbols.js';

/** @internal A channel wait entry; the runtime's single waiter shape. */
export type Sudog = Waiter;

/** @internal How a receive delivers its result. */
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

/** @internal The result of a receive completed with `v`/`ok`, in the form `mode` asks for. */
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
/** @internal One of {@link RecvMode}'s values. */
export type RecvMode = (typeof RecvMode)[keyof typeof RecvMode];

/** Returned by receives (in the sentinel form) once a channel is closed and drained. */
export const CLOSED: unique symbol = Symbol('strand.closed');
/** The type of {@link CLOSED}. */
export type Closed = typeof CLOSED;
/** Returned by the try forms when the operation would block. */
export const WOULD_BLOCK: unique symbol = Symbol('strand.wouldBlock');
/** The type of {@link WOULD_BLOCK}. */
export type WouldBlock = typeof WOULD_BLOCK;

/** What {@link dequeue} needs of a channel (chan.ts implements it; no import back to chan.ts). */
interface QueueOwner {
  [kDequeue](s: Sudog): void;
}

/** @internal Removes `s` from whichever queue of its channel holds it (no-op if not queued). */
export function dequeue(s: Sudog): void {
  if (s.queued) (s.chan as QueueOwner)[kDequeue](s);
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
 * @internal Completes a parked receiver `r` (already dequeued) with `v`/`ok`: readies a plain receiver with
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

/** @internal Completes a parked sender `s` (already dequeued): its value has been taken. */
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

/** @internal Fails a parked sender `s` (already dequeued) with `err` (its channel was closed). */
export function failSend(s: Sudog, err: unknown): void {
  const sel = s.sel;
  if (sel !== null) {
    withdrawSiblings(s, sel);
    readyError(sel, err);
    return;
  }
  readyError(s, err);
}
