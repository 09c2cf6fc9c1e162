/**
 * Cond (Go's `sync.Cond`): a rendezvous point for goroutines waiting for an event, with an
 * associated {@link Locker} held while the condition is checked or changed.
 *
 * Invariant: a waiter is in `waiters` from the moment `wait` unlocks the locker until it is
 * signalled; signalled waiters relock before `wait` returns.
 *
 * @module
 */

import { park, ready, Waiter } from '../goroutine.js';
import { WaitQueue } from '../waitq.js';
import type { Locker } from './mutex.js';

/**
 * A condition variable (Go's `sync.Cond`).
 *
 * @example
 * ```ts
 * const mu = new Mutex();
 * const cond = new Cond(mu);
 * await mu.lock();
 * while (queue.length === 0) await cond.wait();
 * const item = queue.shift();
 * mu.unlock();
 * ```
 */
export class Cond {
  /** The locker held while observing or changing the condition (Go's `L`). */
  readonly l: Locker;
  readonly #waiters = new WaitQueue();

  /** @param locker - the lock that guards the condition, e.g. a {@link Mutex}. */
  constructor(locker: Locker) {
    this.l = locker;
  }

  /**
   * Atomically unlocks `l` and parks (reason `sync.Cond.Wait`) until woken by
   * {@link Cond.signal} or {@link Cond.broadcast}, then locks `l` again before returning. The
   * caller must hold `l`. Because the condition may have changed again by the time the caller
   * runs, call it in a loop: `while (!ready) await cond.wait()`.
   */
  async wait(): Promise<void> {
    this.l.unlock(); // throws if not held, before anything is queued
    const w = new Waiter();
    this.#waiters.push(w);
    const p = park<void>(w, 'sync.Cond.Wait');
    this.#waiters.parked(w);
    await p;
    await this.l.lock();
  }

  /** Wakes the goroutine that has waited longest, if any. */
  signal(): void {
    const w = this.#waiters.shift();
    if (w !== null) ready(w, undefined);
  }

  /** Wakes every waiting goroutine. */
  broadcast(): void {
    const q = this.#waiters;
    for (let w = q.shift(); w !== null; w = q.shift()) ready(w, undefined);
  }
}
