/**
 * Weighted semaphore (golang.org/x/sync/semaphore's `Weighted`): bounds access to a resource of
 * a given size; each acquire takes a weight.
 *
 * Invariants (single JS thread; fields touched only by this module):
 * - `0 <= cur <= size`.
 * - Waiters are served strictly in FIFO order: while the oldest waiter does not fit, nobody
 *   behind it is served, even a smaller request that would fit (no starvation of large
 *   requests). A new acquire waits if anyone is already waiting.
 * - A waiter's weight is added to `cur` before it is readied (hand-off); a waiter that gives up
 *   because its context is done is unlinked, and if it was at the front, the ones behind it are
 *   reconsidered.
 *
 * @module
 */

import { immediate, park, ready, readyError, Waiter } from '../goroutine.js';
import type { MaybePromise } from '../chan.js';
import { errInvalidArg } from '../errors.js';
import type { Context } from '../context/types.js';
import { afterDone } from '../context/afterfunc.js';
import { WaitQueue } from '../waitq.js';
import { errSync } from '../errors.js';

/*
 * A waiter's fields (plain Waiter in the runtime's wait queue, waitq.ts): `idx` is the requested weight; `value` is the
 * function that unregisters it from its context (null without one).
 */

/**
 * A weighted semaphore of size `n`.
 *
 * @example
 * ```ts
 * const sem = new Semaphore(4); // at most 4 concurrent jobs
 * for (const job of jobs) {
 *   await sem.acquire(1, ctx);
 *   go(async () => { try { await run(job); } finally { sem.release(1); } });
 * }
 * ```
 */
export class Semaphore {
  readonly #size: number;
  #cur = 0;
  readonly #waiters = new WaitQueue();

  /**
   * @param n - the total weight available.
   * @throws StrandError (code `STRAND_ERR_INVALID_ARG`) if `n` is negative or not a number.
   */
  constructor(n: number) {
    if (!(n >= 0)) throw errInvalidArg(`semaphore: invalid size ${n}`);
    this.#size = n;
  }

  /**
   * Acquires weight `n`, waiting (reason `semaphore.Weighted.Acquire`) until it is available;
   * requests are served in FIFO order. If `ctx` is done first — or is already done when called
   * — it fails with `ctx.err()` and holds nothing. A request larger than the size can never be
   * served: it waits until `ctx` is done (forever without a context), without holding up others.
   *
   * @param n - the weight (default 1).
   * @param ctx - optional context that abandons the wait.
   * @returns `undefined` if acquired at once, otherwise a promise.
   * @throws `ctx.err()` ({@link Canceled} or DeadlineExceeded) when the context ends first.
   */
  acquire(n = 1, ctx?: Context): MaybePromise<void> {
    if (ctx !== undefined) {
      const err = ctx.err();
      if (err !== null) throw err; // done before the call: fail even if the weight is free
    }
    if (this.#size - this.#cur >= n && this.#waiters.length === 0) {
      this.#cur += n;
      return immediate(undefined);
    }
    const w = new Waiter();
    w.idx = n;
    w.value = ctx !== undefined ? afterDone(ctx, () => this.#abandon(w, ctx), true) : null;
    // Don't make other acquires wait behind one that is doomed to fail.
    if (n <= this.#size) this.#waiters.push(w);
    const p = park<void>(w, 'semaphore.Weighted.Acquire');
    // Without a context only a release on this semaphore can end the wait (leak.ts); with one,
    // the context's callback can, so that park is not tracked.
    if (ctx === undefined) this.#waiters.parked(w);
    return p;
  }

  /**
   * Acquires weight `n` only if it is available now and nobody is waiting.
   *
   * @returns true if acquired.
   */
  tryAcquire(n = 1): boolean {
    if (this.#size - this.#cur >= n && this.#waiters.length === 0) {
      this.#cur += n;
      return true;
    }
    return false;
  }

  /**
   * Releases weight `n` and serves waiters that now fit, in order.
   *
   * @throws StrandError `semaphore: released more than held` (code `STRAND_ERR_SYNC`).
   */
  release(n = 1): void {
    if (this.#cur - n < 0) throw errSync('semaphore: released more than held');
    this.#cur -= n;
    this.#notify();
  }

  /** Serves waiters from the front while they fit. */
  #notify(): void {
    const q = this.#waiters;
    for (let w = q.head; w !== null; w = q.head) {
      if (this.#size - this.#cur < w.idx) break; // the oldest does not fit: nobody overtakes it
      this.#cur += w.idx;
      q.remove(w);
      const unregister = w.value as (() => boolean) | null;
      w.value = null;
      if (unregister !== null) unregister();
      ready(w, undefined);
    }
  }

  /** The context of a waiter ended before it was served. */
  #abandon(w: Waiter, ctx: Context): void {
    const q = this.#waiters;
    const wasFront = q.head === w;
    q.remove(w); // no-op for a request larger than the size, which was never queued
    w.value = null;
    readyError(w, ctx.err());
    // If it was blocking the front and weight is left, the next ones may fit now.
    if (wasFront && this.#size > this.#cur) this.#notify();
  }
}
