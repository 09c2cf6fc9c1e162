/**
 * Waiting for a context without a channel: `context.afterFunc` (Go's `context.AfterFunc`) and
 * the runtime's internal `afterDone`, how blocking operations (a semaphore acquire) give up when
 * a context ends.
 *
 * Invariants (single JS thread):
 * - An `afterDone` entry is in its cancelCtx's children until it fires or is stopped, never both:
 *   `stop()` reports whether it removed the entry before the cancellation reached it.
 * - A keep-alive entry counts as one waiter of its cancelCtx while registered (cancel.ts's
 *   keep-alive accounting), so a deadline keeps the process alive while something waits for it.
 * - An afterFunc's function starts at most once, in a new goroutine, never inside the
 *   cancellation that triggered it.
 *
 * @module
 */

import { go } from '../goroutine.js';
import { kCancel, kChildren, kWait } from '../_symbols.js';
import { nearestCancel, type CancelCtx, type Canceler } from './cancel.js';
import type { Context } from './types.js';

/**
 * Arranges for `f` to run in its own goroutine once `ctx` is done (Go's `context.AfterFunc`);
 * at once (in a new goroutine, after the caller continues) if it already is. Registrations are
 * independent of each other. A pending call does not keep the process alive. Exported only
 * through the `context` namespace (`context.afterFunc`), as the flat name is time's.
 *
 * @param ctx - the context to follow.
 * @param f - the function to run.
 * @returns `stop()`: unregisters `f`; true if that prevented it from running, false if it was
 * already started or stopped.
 * @example
 * ```ts
 * const stop = context.afterFunc(ctx, () => conn.close()); // unblock a read on cancel
 * try { n = await conn.read(buf); } finally { stop(); }
 * ```
 */
export function afterFunc(ctx: Context, f: () => unknown): () => boolean {
  const a = new AfterFuncState(f);
  if (ctx.err() !== null) {
    a.start();
    return () => false;
  }
  const unregister = afterDone(ctx, () => a.start(), false);
  return () => {
    if (a.state !== 0) return false;
    a.state = 2;
    if (unregister !== null) unregister();
    return true;
  };
}

class AfterFuncState {
  /** 0 pending, 1 started, 2 stopped. */
  state = 0;
  readonly f: () => unknown;
  constructor(f: () => unknown) {
    this.f = f;
  }
  start(): void {
    if (this.state !== 0) return;
    this.state = 1;
    // Not inside the cancellation that triggered it: f starts in a fresh microtask.
    queueMicrotask(() => go(this.f));
  }
}

/** One `afterDone` registration on a cancelCtx. */
class AfterDone implements Canceler {
  readonly fn: () => void;
  readonly cc: CancelCtx;
  readonly keepAlive: boolean;
  constructor(fn: () => void, cc: CancelCtx, keepAlive: boolean) {
    this.fn = fn;
    this.cc = cc;
    this.keepAlive = keepAlive;
  }
  [kCancel](): void {
    this.fn();
  }
  stop(): boolean {
    const cc = this.cc;
    const children = cc[kChildren];
    if (children === null || !children.delete(this)) return false;
    if (this.keepAlive) cc[kWait](-1);
    return true;
  }
}

/**
 * @internal Calls `fn` (synchronously, inside the cancellation) when `ctx` becomes done — how
 * blocking operations (a semaphore acquire) wait for a context without a select. With
 * `keepAlive`, the registration counts as a goroutine waiting on the context (its deadline timer
 * keeps the process alive). Returns a function that unregisters and reports whether it did so
 * before `fn` ran, or null if `ctx` can never be done. The caller checks `ctx.err()` first.
 */
export function afterDone(ctx: Context, fn: () => void, keepAlive: boolean): (() => boolean) | null {
  const cc = nearestCancel(ctx);
  if (cc === null) return null;
  if (cc !== undefined) {
    const a = new AfterDone(fn, cc, keepAlive);
    (cc[kChildren] ??= new Set()).add(a);
    if (keepAlive) cc[kWait](1);
    return () => a.stop();
  }
  if (ctx.done() === null) return null;
  const sig = ctx.signal;
  let fired = false;
  const onAbort = (): void => {
    fired = true;
    fn();
  };
  sig.addEventListener('abort', onAbort, { once: true });
  return () => {
    sig.removeEventListener('abort', onAbort);
    return !fired;
  };
}
