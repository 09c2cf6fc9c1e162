/**
 * Timer contexts (Go's `timerCtx`): `withDeadline`, `withTimeout` and their Cause variants — a
 * cancelCtx that cancels itself with {@link DeadlineExceeded} when its deadline passes.
 *
 * Invariants (single JS thread):
 * - `kTimer` is non-null exactly while the deadline is in the future and the context is not
 *   cancelled; cancelling clears it.
 * - The timer is ref'd exactly while the context contributes a waiter (`kContrib`, cancel.ts's
 *   keep-alive): an abandoned timeout context never keeps the process alive.
 * - A deadline beyond Node's largest delay re-arms when that delay elapses.
 * - In a synctest bubble, deadlines are on the bubble's virtual clock (bubble.ts).
 *
 * @module
 */

import { kCancel, kContrib, kErr, kKeepAlive, kStopTimer, kTimer } from '../_symbols.js';
import { nowMs, startTimer, stopTimer, type TimerHandle } from '../bubble.js';
import { CancelCtx, checkParent, propagateCancel, withCancel } from './cancel.js';
import { Canceled, DeadlineExceeded, type CancelFunc, type Context, type DisposableContext } from './types.js';

/** Node accepts timer delays up to 2^31-1 ms; longer deadlines re-arm when that elapses. */
const MAX_DELAY = 0x7fffffff;

class TimerCtx extends CancelCtx {
  readonly #deadline: number;
  /** The cause recorded when the deadline passes (null: DeadlineExceeded itself). */
  readonly #deadlineCause: Error | null;
  /** @internal The deadline's Node timer, or virtual one in a synctest bubble (read by tests). */
  [kTimer]: TimerHandle | null = null;

  constructor(parent: Context, deadline: number, why: Error | null) {
    super(parent, `WithDeadline(${new Date(deadline).toISOString()})`);
    this.#deadline = deadline;
    this.#deadlineCause = why;
  }

  override deadline(): number {
    return this.#deadline;
  }

  /**
   * A timerCtx hooked into `parent`, its timer armed (or already cancelled when the deadline has
   * passed), with its cancel function.
   */
  static start(parent: Context, d: number, why: Error | null): [DisposableContext, CancelFunc] {
    const c = new TimerCtx(parent, d, why);
    propagateCancel(parent, c);
    const dur = d - nowMs();
    if (!(dur > 0)) {
      c[kCancel](true, DeadlineExceeded, why); // deadline already passed
      return [c, () => c[kCancel](false, Canceled, null)];
    }
    if (c[kErr] === null) c.#arm(dur);
    return [c, () => c[kCancel](true, Canceled, null)];
  }

  /** Arms the timer to fire in `dur` ms (at most Node's largest delay). */
  #arm(dur: number): void {
    const t = startTimer(TimerCtx.#fire, dur > MAX_DELAY ? MAX_DELAY : dur, this);
    if (!this[kContrib]) t.unref();
    this[kTimer] = t;
  }

  /** @internal */
  override [kKeepAlive](on: boolean): void {
    const t = this[kTimer];
    if (t === null) return;
    if (on) t.ref();
    else t.unref();
  }

  /** @internal */
  override [kStopTimer](): void {
    if (this[kTimer] !== null) {
      stopTimer(this[kTimer]);
      this[kTimer] = null;
    }
  }

  static #fire(c: TimerCtx): void {
    c[kTimer] = null;
    const left = c.#deadline - nowMs();
    if (left > 0) c.#arm(left); // a deadline beyond Node's maximum delay, or an early wake-up
    else c[kCancel](true, DeadlineExceeded, c.#deadlineCause);
  }
}

/**
 * Returns a child of `parent` that is cancelled with {@link DeadlineExceeded} at `deadline`
 * (Go's `context.WithDeadline`), or earlier by `cancel` or by its parent. If the parent's
 * deadline is already earlier, the child simply inherits it. The deadline's timer keeps the
 * process alive only while a goroutine waits on the context; `cancel` clears it.
 *
 * @param parent - the parent context.
 * @param deadline - a Date or ms since the epoch.
 * @returns `[ctx, cancel]`; `ctx` is a {@link DisposableContext} (disposing it cancels it).
 * @example
 * ```ts
 * const [ctx, cancel] = withDeadline(background(), Date.now() + 5 * Second);
 * try { await work(ctx); } finally { cancel(); }
 * ```
 */
export function withDeadline(parent: Context, deadline: Date | number): [DisposableContext, CancelFunc] {
  return withDeadlineCause(parent, deadline, null);
}

/**
 * Like {@link withDeadline}, but when the deadline passes the context's cause is `why` (Go's
 * `context.WithDeadlineCause`); `err()` is still {@link DeadlineExceeded}. The returned cancel
 * function does not set the cause.
 *
 * @param parent - the parent context.
 * @param deadline - a Date or ms since the epoch.
 * @param why - the cause recorded if the deadline passes (null: DeadlineExceeded).
 * @returns `[ctx, cancel]`; `ctx` is a {@link DisposableContext} (disposing it cancels it).
 * @example
 * ```ts
 * const [ctx, cancel] = withDeadlineCause(background(), Date.now() + 100, new Error('backend too slow'));
 * ```
 */
export function withDeadlineCause(parent: Context, deadline: Date | number, why: Error | null): [DisposableContext, CancelFunc] {
  checkParent(parent);
  const d = typeof deadline === 'number' ? deadline : deadline.getTime();
  const cur = parent.deadline();
  if (cur !== undefined && cur < d) {
    // The current deadline is already sooner than the new one.
    return withCancel(parent);
  }
  return TimerCtx.start(parent, d, why);
}

/**
 * `withDeadline(parent, Date.now() + ms)` (Go's `context.WithTimeout`).
 *
 * @param parent - the parent context.
 * @param ms - the timeout in milliseconds.
 * @returns `[ctx, cancel]`; `ctx` is a {@link DisposableContext} (disposing it cancels it).
 * @example
 * ```ts
 * const [ctx, cancel] = withTimeout(background(), 100 * Millisecond);
 * const d = recvCase(ctx.done()), r = recvCase(results);
 * if ((await select([d, r])) === 0) console.log(ctx.err()); // context deadline exceeded
 * cancel();
 * ```
 */
export function withTimeout(parent: Context, ms: number): [DisposableContext, CancelFunc] {
  return withDeadlineCause(parent, nowMs() + ms, null);
}

/**
 * Like {@link withTimeout}, but when the timeout passes the context's cause is `why` (Go's
 * `context.WithTimeoutCause`).
 *
 * @param parent - the parent context.
 * @param ms - the timeout in milliseconds.
 * @param why - the cause recorded if the timeout passes.
 * @returns `[ctx, cancel]`; `ctx` is a {@link DisposableContext} (disposing it cancels it).
 * @example
 * ```ts
 * const [ctx, cancel] = withTimeoutCause(r.context(), 2 * Second, new Error('upstream timeout'));
 * ```
 */
export function withTimeoutCause(parent: Context, ms: number, why: Error | null): [DisposableContext, CancelFunc] {
  return withDeadlineCause(parent, nowMs() + ms, why);
}
