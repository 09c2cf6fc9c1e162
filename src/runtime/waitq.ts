/**
 * The one wait queue of strand (Go's `waitq`): a FIFO of parked {@link Waiter}s linked through the
 * waiters' own `next`/`prev` fields. Channels, the sync primitives and the netpoller all queue
 * waiters this way.
 *
 * ## Representation
 * A queue is a circular doubly linked list named by its first waiter (`head`, null when empty):
 * `head.prev` is the last waiter, the last waiter's `next` is `head`. So a queue is one field in
 * whatever owns it — a channel holds its receive and send queues in two fields and allocates
 * nothing for them — and {@link qpush} / {@link qremove} are plain functions that take the head
 * and return the new one. {@link WaitQueue} is the same thing held in a small object, for owners
 * that want a count (the sync primitives, the netpoller).
 *
 * Why intrusive: no node is allocated per wait, and a waiter that gives up (a select case that
 * lost, a semaphore acquire whose context is done) leaves its queue in O(1).
 *
 * ## Invariants
 * - A waiter is in at most one queue at a time; `queued` is true exactly while it is in one, and
 *   then `next`/`prev` are non-null; outside a queue both are null.
 * - The queue's owner is the only one who calls these functions with its head, and it stores the
 *   returned head back before anything else can look at the queue (single JS thread).
 *
 * @module
 */

import { Waiter } from './waiter.js';
import { adopt, noteQueued } from './bubble.js';
import { trackOwner } from './leak.js';

/**
 * @internal Appends `w` to the queue whose first waiter is `head` (null: empty) and returns the
 * queue's first waiter (`w` if the queue was empty). `w` must not be in a queue.
 */
export function qpush(head: Waiter | null, w: Waiter): Waiter {
  w.queued = true;
  if (head === null) {
    w.next = w;
    w.prev = w;
    return w;
  }
  const tail = head.prev!;
  w.prev = tail;
  w.next = head;
  tail.next = w;
  head.prev = w;
  return head;
}

/**
 * @internal Removes `w` from the queue whose first waiter is `head` and returns the queue's new
 * first waiter (null once empty). `w` must be in that queue (check `w.queued` first when unsure).
 */
export function qremove(head: Waiter, w: Waiter): Waiter | null {
  const next = w.next!;
  w.queued = false;
  if (next === w) {
    // The only waiter, hence the head.
    w.next = w.prev = null;
    return null;
  }
  const prev = w.prev!;
  prev.next = next;
  next.prev = prev;
  w.next = w.prev = null;
  return w === head ? next : head;
}

/**
 * @internal A FIFO of parked waiters held in an object, with a count: the queue of the sync
 * primitives and the netpoller. The same circular list as {@link qpush}/{@link qremove}.
 */
export class WaitQueue {
  #head: Waiter | null = null;
  #length = 0;
  /** Leak-report id (leak.ts), 0 until {@link WaitQueue.parked} first registers the queue. */
  #leakId = 0;

  /**
   * Records that `w`'s goroutine, parked just now, can be woken only through this queue (its
   * owner has no other way to ready it): if the queue is garbage-collected while it waits, the
   * leak report lists it. Call right after `park`.
   */
  parked(w: Waiter): void {
    w.g!.waitObj = this.#leakId !== 0 ? this.#leakId : (this.#leakId = trackOwner(this));
  }

  /** The oldest waiter, or null. */
  get head(): Waiter | null {
    return this.#head;
  }

  /** The number of queued waiters. */
  get length(): number {
    return this.#length;
  }

  constructor() {
    adopt(this); // the sync primitive that owns this queue belongs to the synctest bubble making it
  }

  /** Appends `w`, which must not be in a queue. */
  push(w: Waiter): void {
    noteQueued(w, this); // a synctest bubble asks which queue a sync wait is on
    this.#head = qpush(this.#head, w);
    this.#length++;
  }

  /** Removes and returns the oldest waiter, or null. */
  shift(): Waiter | null {
    const w = this.#head;
    if (w !== null) {
      this.#head = qremove(w, w);
      this.#length--;
    }
    return w;
  }

  /** Removes `w` if it is queued (the caller knows it can only be queued here); no-op otherwise. */
  remove(w: Waiter): void {
    if (!w.queued) return;
    this.#head = qremove(this.#head!, w);
    this.#length--;
  }
}
