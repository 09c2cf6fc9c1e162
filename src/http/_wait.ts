/**
 * @internal The HTTP layer's one seam with the runtime's park/ready contract: the only file of
 * src/http that touches `Waiter`, `park`, `ready`, `readyError` or `immediate`.
 *
 * node:http and undici own their sockets, so their readiness ('drain' on a response, 'readable'
 * on a body, the promise of an undici request) cannot come through strand/net's `Conn` and its
 * poller. This file plays for them the part net/poll plays for sockets: an event from Node makes
 * a goroutine parked with wait reason "IO wait" runnable, and the goroutine dump and the deadlock
 * detector see the wait. A channel would do the same job with a "chan receive" wait reason (a
 * behaviour change in the dump) and a channel per body or response; sync's primitives have their
 * own wait reasons too.
 *
 * Contract (the runtime's, restated for this layer): one goroutine at a time waits on an
 * {@link IOWait} (the one reading a body or writing a response); `wake`/`fail` are called from
 * Node event listeners after the state they report is settled, and do nothing when no goroutine
 * is parked; a parked goroutine is readied at most once per `wait()`.
 *
 * @module
 */

import { Waiter, immediate, park, ready, readyError } from '../runtime/index.js';

/** @internal The at-once path of a blocking call (fairness budget, goroutine attribution); see the runtime's `immediate`. */
export { immediate };

/** The wait reason of every park of the HTTP layer (Go's netpoller says the same). */
const IO_WAIT = 'IO wait';

/**
 * @internal A goroutine's wait for news from a Node event source, reusable: an object that waits
 * many times (a body reader, a response writer) keeps one, and so one runtime Waiter.
 */
export class IOWait {
  readonly #w = new Waiter();

  /** Parks the calling goroutine ("IO wait") until {@link wake} or {@link fail}. */
  wait<T = void>(): Promise<T> {
    return park<T>(this.#w, IO_WAIT);
  }

  /** Makes the parked goroutine runnable; its `wait()` resolves to `v`. No-op when none is parked. */
  wake(v?: unknown): void {
    ready(this.#w, v);
  }

  /** Makes the parked goroutine runnable; its `wait()` rejects with `err`. No-op when none is parked. */
  fail(err: unknown): void {
    readyError(this.#w, err);
  }
}
