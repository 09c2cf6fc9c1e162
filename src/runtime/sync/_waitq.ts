/**
 * A FIFO queue of parked waiters for the sync primitives (an intrusive doubly linked list, so a
 * waiter that gives up — a semaphore acquire whose context is done — unlinks in O(1)).
 *
 * Invariant: a waiter is in at most one queue; `q !== null` exactly while it is queued.
 *
 * @module
 */

import { Waiter } from '../goroutine.js';

/** @internal A goroutine parked on a sync primitive. */
export class SyncWaiter extends Waiter {
  /** Semaphore weight, RWMutex: true for a writer. Meaning depends on the primitive. */
  n = 0;
  /** The queue holding this waiter, while queued. */
  q: WaitQueue | null = null;
  next: SyncWaiter | null = null;
  prev: SyncWaiter | null = null;
}

/** @internal FIFO of {@link SyncWaiter}s. */
export class WaitQueue {
  head: SyncWaiter | null = null;
  tail: SyncWaiter | null = null;
  length = 0;

  push(w: SyncWaiter): void {
    w.q = this;
    w.next = null;
    w.prev = this.tail;
    if (this.tail === null) this.head = w;
    else this.tail.next = w;
    this.tail = w;
    this.length++;
  }

  /** Removes and returns the oldest waiter, or null. */
  shift(): SyncWaiter | null {
    const w = this.head;
    if (w !== null) this.remove(w);
    return w;
  }

  /** Unlinks `w` if it is queued here. */
  remove(w: SyncWaiter): void {
    if (w.q !== this) return;
    const { prev, next } = w;
    if (prev === null) this.head = next;
    else prev.next = next;
    if (next === null) this.tail = prev;
    else next.prev = prev;
    w.q = w.next = w.prev = null;
    this.length--;
  }
}
