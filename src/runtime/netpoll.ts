/**
 * The netpoller's entry into the runtime (Go's `runtime_poll*` functions): the few operations
 * `src/net/poll` needs to turn socket events into park/ready of goroutines, and nothing else.
 * The poller never touches a {@link Waiter}'s fields or subclasses it; it holds waiters as opaque
 * handles and keeps its per-wait state (buffer, byte count, splice ends...) in its own small
 * objects, reachable from a waiter through {@link pollData}.
 *
 * ## Contract
 * - {@link pollWaiter} makes a plain Waiter carrying the poller's per-wait object (`data`). Every
 *   waiter is created by the runtime, so park and ready see one shape (see waiter.ts: subclasses
 *   made a ping-pong 1.5x slower).
 * - {@link pollWait} parks the calling goroutine on `w` with a wait reason (the poller uses
 *   "IO wait") and returns the promise the caller must await directly. `w` must not be parked.
 *   The poller makes `w` findable (a socket's parked reader, a queue) before or right after.
 * - {@link pollReady} / {@link pollReadyError} make it runnable with a value / an error. At most
 *   once per park: a second call is a no-op. Never resumes synchronously: the goroutine continues
 *   in a later microtask (or after the event loop's turn when the fairness budget is spent).
 *   Settle the poller's own state (flags, queues) first, then ready.
 * - {@link pollImmediate} is the at-once path of a blocking call that did not park: it returns
 *   its argument (or, when the fairness budget is spent, a promise of it that resolves after the
 *   event loop's turn). Await the result directly.
 * - {@link WaitQueue} is the runtime's one wait queue (waitq.ts): a FIFO of waiters, O(1) removal,
 *   nothing allocated per wait. A waiter is in at most one queue and must not be parked twice.
 * - There is no "is it parked?" query: which of its waiters are parked is the poller's own state
 *   (a socket's PARKED bits, its queues), settled before every ready.
 *
 * Nothing here is public API (every export is marked internal): users build their own
 * primitives on `park`/`ready`/`Waiter`.
 *
 * @module
 */

import { Waiter } from './waiter.js';

// The park/ready primitives themselves, under the poller's names (aliases: no extra call on the
// poller's hot paths). Their contracts are goroutine.ts's, summed up above.

/** @internal Parks the current goroutine on a poller waiter with a wait reason. */
export { park as pollWait } from './goroutine.js';
/** @internal Readies the goroutine parked on a poller waiter with a value. */
export { ready as pollReady } from './goroutine.js';
/** @internal Readies the goroutine parked on a poller waiter with an error. */
export { readyError as pollReadyError } from './goroutine.js';
/** @internal The at-once result of a blocking call (counted by the fairness budget). */
export { immediate as pollImmediate } from './goroutine.js';
/** @internal The runtime's one wait queue. */
export { WaitQueue } from './waitq.js';
export type { Waiter } from './waiter.js';

/** @internal A waiter for the poller, carrying its per-wait object `data` (see {@link pollData}). */
export function pollWaiter(data: unknown = null): Waiter {
  const w = new Waiter();
  w.value = data;
  return w;
}

/** @internal The per-wait object `w` was made with. */
export function pollData<T>(w: Waiter): T {
  return w.value as T;
}
