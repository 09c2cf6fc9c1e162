/**
 * A FIFO queue of parked waiters for the sync primitives, linked through the waiter's own
 * `next`/`prev` fields (intrusive: no node per waiter; a waiter that gives up — a semaphore
 * acquire whose context is done — unlinks in O(1)).
 *
 * Waiters are plain {@link Waiter}s, never subclasses (see goroutine.ts: subclasses make park and
 * ready polymorphic). Per-wait data lives in the waiter's generic fields: `idx` holds a number
 * (a semaphore weight), `value` a free slot.
 *
 * Invariant: a waiter is in at most one queue; `queued` is true exactly while it is in one.
 *
 * @module
 */

import { Waiter } from '../goroutine.js';

/** @internal FIFO of parked {@link Waiter}s. */
export class WaitQueue {
  head: Waiter | null = null;
  tail: Waiter | null = null;
  length = 0;

  push(w: Waiter): void {
    w.queued = true;
    w.next = null;
    w.prev = this.tail;
    if (this.tail === null) this.head = w;
    else this.tail.next = w;
    this.tail = w;
    this.length++;
  }

  /** Removes and returns the oldest waiter, or null. */
  shift(): Waiter | null {
    const w = this.head;
    if (w !== null) this.remove(w);
    return w;
  }

  /** Unlinks `w`, which the caller knows to be queued here (or not queued at all). */
  remove(w: Waiter): void {
    if (!w.queued) return;
    const { prev, next } = w;
    if (prev === null) this.head = next;
    else prev.next = next;
    if (next === null) this.tail = prev;
    else next.prev = prev;
    w.queued = false;
    w.next = w.prev = null;
    this.length--;
  }
}
