/**
 * Reader/writer mutex (Go's `sync.RWMutex`): any number of readers or one writer. A writer that
 * is waiting blocks new readers, so a stream of readers cannot starve it; when a writer unlocks,
 * the readers that queued behind it go first, then the next writer.
 *
 * State (single JS thread; fields touched only by this module):
 * - `readers`: readers holding the lock; `writer`: a writer holds it. Never both.
 * - `writerq`: writers waiting; `readerq`: readers waiting.
 * Invariants:
 * - `readerq` is non-empty only while `writer` or `writerq` is non-empty (a reader waits only
 *   behind a writer).
 * - `writerq` is non-empty only while the lock is held (`writer` or `readers > 0`).
 * - Hand-off: the state is updated for the woken goroutines (readers counted, `writer` set)
 *   before they are readied, so nobody can slip in between.
 *
 * @module
 */

import { immediate, park, ready, Waiter } from '../goroutine.js';
import type { MaybePromise } from '../chan.js';
import { WaitQueue } from '../waitq.js';
import type { Locker } from './mutex.js';
import { errSync } from '../errors.js';

/**
 * A reader/writer mutual exclusion lock (Go's `sync.RWMutex`). Readers must not recursively
 * read-lock: a writer waiting in between would deadlock them, as in Go.
 *
 * @example
 * ```ts
 * const mu = new RWMutex();
 * await mu.rLock();
 * try { return cache.get(key); } finally { mu.rUnlock(); }
 * ```
 */
export class RWMutex implements Locker {
  #readers = 0;
  #writer = false;
  readonly #readerq = new WaitQueue();
  readonly #writerq = new WaitQueue();

  /**
   * Locks for reading. Blocks (reason `sync.RWMutex.RLock`) while a writer holds the lock or is
   * waiting for it.
   */
  rLock(): MaybePromise<void> {
    if (!this.#writer && this.#writerq.length === 0) {
      this.#readers++;
      return immediate(undefined);
    }
    const w = new Waiter();
    this.#readerq.push(w);
    const p = park<void>(w, 'sync.RWMutex.RLock');
    this.#readerq.parked(w);
    return p;
  }

  /**
   * Read-locks only if that needs no waiting (Go's `TryRLock`).
   *
   * @returns true if the caller now holds a read lock.
   */
  tryRLock(): boolean {
    if (this.#writer || this.#writerq.length !== 0) return false;
    this.#readers++;
    return true;
  }

  /**
   * Releases one read lock; the last reader out hands the lock to a waiting writer.
   *
   * @throws StrandError `sync: RUnlock of unlocked RWMutex` (code `STRAND_ERR_SYNC`).
   */
  rUnlock(): void {
    if (this.#readers === 0) throw errSync('sync: RUnlock of unlocked RWMutex');
    if (--this.#readers === 0) {
      const w = this.#writerq.shift();
      if (w !== null) {
        this.#writer = true;
        ready(w, undefined);
      }
    }
  }

  /**
   * Locks for writing. Blocks (reason `sync.RWMutex.Lock`) until no reader or writer holds the
   * lock; from the moment it waits, new readers wait too.
   */
  lock(): MaybePromise<void> {
    if (!this.#writer && this.#readers === 0 && this.#writerq.length === 0) {
      this.#writer = true;
      return immediate(undefined);
    }
    const w = new Waiter();
    this.#writerq.push(w);
    const p = park<void>(w, 'sync.RWMutex.Lock');
    this.#writerq.parked(w);
    return p;
  }

  /**
   * Write-locks only if the lock is entirely free (Go's `TryLock`).
   *
   * @returns true if the caller now holds the write lock.
   */
  tryLock(): boolean {
    if (this.#writer || this.#readers !== 0 || this.#writerq.length !== 0) return false;
    this.#writer = true;
    return true;
  }

  /**
   * Releases the write lock: readers that queued meanwhile all get the lock, otherwise the next
   * waiting writer does.
   *
   * @throws StrandError `sync: Unlock of unlocked RWMutex` (code `STRAND_ERR_SYNC`).
   */
  unlock(): void {
    if (!this.#writer) throw errSync('sync: Unlock of unlocked RWMutex');
    this.#writer = false;
    const rq = this.#readerq;
    if (rq.length > 0) {
      this.#readers += rq.length;
      for (let w = rq.shift(); w !== null; w = rq.shift()) ready(w, undefined);
      return;
    }
    const w = this.#writerq.shift();
    if (w !== null) {
      this.#writer = true;
      ready(w, undefined);
    }
  }

  /** A {@link Locker} whose lock/unlock are this mutex's rLock/rUnlock (Go's `RLocker`). */
  rLocker(): Locker {
    return { lock: () => this.rLock(), unlock: () => this.rUnlock() };
  }
}
