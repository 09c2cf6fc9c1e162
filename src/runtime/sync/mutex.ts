/**
 * Mutex (Go's `sync.Mutex`), with FIFO hand-off: `unlock` passes the lock directly to the oldest
 * waiter (Go's starvation mode, always), so a goroutine that calls `lock` cannot overtake one
 * that has been waiting.
 *
 * Invariants (single JS thread; fields touched only by this module):
 * - `waiters` is non-empty only while `locked`.
 * - On unlock with waiters, `locked` stays true and ownership moves to the dequeued waiter
 *   before it is readied.
 *
 * @module
 */

import { immediate, park, ready, Waiter } from '../goroutine.js';
import type { MaybePromise } from '../chan.js';
import { errSync } from '../errors.js';
import { WaitQueue } from '../waitq.js';

/** Anything that can be locked and unlocked (Go's `sync.Locker`): a {@link Mutex}, an RWMutex... */
export interface Locker {
  /** Acquires the lock; a promise when the caller must wait. */
  lock(): MaybePromise<void> | void;
  /** Releases the lock. */
  unlock(): void;
}

/**
 * A mutual exclusion lock (Go's `sync.Mutex`). The zero value — `new Mutex()` — is unlocked. A
 * locked Mutex is not tied to a goroutine: one goroutine may lock it and another unlock it.
 *
 * @example
 * ```ts
 * const mu = new Mutex();
 * await mu.lock();
 * try { balance += amount; } finally { mu.unlock(); }
 * ```
 */
export class Mutex implements Locker {
  #locked = false;
  /** Goroutines waiting in {@link Mutex.lock}, oldest first. */
  readonly #waiters = new WaitQueue();

  /**
   * Locks the mutex. Returns `undefined` if it was free (no promise is allocated), otherwise a
   * promise that resolves once the lock has been handed to the caller; the goroutine waits with
   * reason `sync.Mutex.Lock`. Waiters acquire the lock in FIFO order.
   */
  lock(): MaybePromise<void> {
    if (!this.#locked) {
      this.#locked = true;
      return immediate(undefined);
    }
    const w = new Waiter();
    this.#waiters.push(w);
    const p = park<void>(w, 'sync.Mutex.Lock');
    this.#waiters.parked(w);
    return p;
  }

  /**
   * Locks the mutex only if it is free and nobody is waiting for it (Go's `TryLock`).
   *
   * @returns true if the caller now holds the lock.
   */
  tryLock(): boolean {
    if (this.#locked) return false;
    this.#locked = true;
    return true;
  }

  /**
   * Unlocks the mutex, handing it to the oldest waiter if there is one.
   *
   * @throws StrandError `sync: unlock of unlocked mutex` (code `STRAND_ERR_SYNC`).
   */
  unlock(): void {
    if (!this.#locked) throw errSync('sync: unlock of unlocked mutex');
    const w = this.#waiters.shift();
    if (w === null) this.#locked = false;
    else ready(w, undefined); // ownership passes to w; #locked stays true
  }
}
