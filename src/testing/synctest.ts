/**
 * Go 1.25's `testing/synctest`: run concurrent code in a *bubble* with a virtual clock, so tests
 * of timeouts, tickers and expiry run in milliseconds and deterministically.
 *
 * ## The bubble
 * {@link test} runs a function as the first goroutine of a new bubble; every goroutine it starts
 * (transitively, and those an afterFunc timer of the bubble starts) is in the bubble too. Inside,
 * strand's time API — {@link sleep}, timers, tickers, `after`, `tick`, `afterFunc`, `now()`,
 * `withTimeout`/`withDeadline` contexts — runs on the bubble's clock, which starts at midnight
 * UTC 2000-01-01 and stands still while any goroutine of the bubble can run. When every goroutine
 * of the bubble is *durably blocked*, the clock jumps to the next timer and fires it. So
 * `await sleep(24 * Hour)` returns at once, and exactly 24 hours later by `now()`.
 * (`Date.now()` and Node's own timers are not strand's: they keep real time.)
 *
 * ## Durably blocked (exactly)
 * A goroutine of the bubble is durably blocked while it waits in:
 * - a send or receive on a channel created in the bubble (timer, ticker and context channels
 *   created in the bubble included), or on a nil channel;
 * - a `select` whose cases are all on channels created in the bubble (or none at all);
 * - `sleep`;
 * - `Mutex.lock`, `RWMutex.lock`/`rLock`, `WaitGroup.wait`, `Cond.wait`, `Once.do`,
 *   `Semaphore.acquire` of a primitive created in the bubble (Go counts only Cond and WaitGroup:
 *   its runtime shares mutexes with code outside bubbles; strand's are plain JavaScript objects);
 * - {@link wait}.
 * Not durably blocking: socket and HTTP I/O, channels and sync primitives created outside the
 * bubble, `gosched`, and awaiting any promise that is not a strand operation (fs, fetch, a
 * `setTimeout` promise): something outside the bubble could end those, so time does not move
 * while a goroutine is in one (a bubble that waits on a real network read waits in real time;
 * {@link pipe} is the in-memory connection that works in a bubble).
 *
 * ## How the bubble knows nothing can run
 * The runtime counts the bubble's live goroutines and the ones durably parked. A wake-up
 * (`ready`) uncounts a goroutine when it is decided — before its continuation is even queued —
 * so a goroutine waiting in the microtask queue counts as runnable, and one awaiting a foreign
 * promise never counted as parked. When the counts say "all durably blocked", the runtime checks
 * again from a `setImmediate` callback, after the microtask queue has drained: by then any
 * promise reaction that could still wake a goroutine has run. Only then does it wake a
 * {@link wait}, advance the clock, or report a deadlock.
 *
 * ## Ending
 * `test` resolves once the function has returned and every goroutine of the bubble has ended.
 * It rejects with a {@link BubbleDeadlockError} (and the dump of the bubble's goroutines) when
 * every goroutine is durably blocked with no timer pending, or when the function has returned
 * while goroutines of the bubble remain blocked (Go's "main bubble goroutine has exited but
 * blocked goroutines remain": the bubble is also a leak check); and with the error itself when
 * the function, or any goroutine of the bubble, throws. Only that test fails: the process, and
 * other tests, carry on (the bubble's blocked goroutines are abandoned).
 *
 * @module
 */

import { bubbleOf, bubbleWait, runBubble } from '../runtime/index.js';
import { BubbleDeadlockError, errMisuse } from './errors.js';

/**
 * Runs `fn` in a new bubble with a virtual clock (Go's `synctest.Test`) and settles once it and
 * every goroutine it started have ended. See the module documentation for the rules.
 *
 * @param fn - the test body; it runs as a goroutine of the bubble.
 * @returns a promise that resolves when the bubble is done.
 * @throws BubbleDeadlockError (rejects; code `STRAND_ERR_BUBBLE_DEADLOCK`) on a deadlock in the
 *   bubble; the error `fn` or a goroutine of the bubble threw; `STRAND_ERR_SYNCTEST_MISUSE` when
 *   called inside a bubble.
 * @example
 * ```ts
 * await synctest.test(async () => {
 *   const [ctx, cancel] = withTimeout(background(), 5 * Second);
 *   await sleep(5 * Second - 1);
 *   await synctest.wait();
 *   console.log(ctx.err()); // null: 1 ms to go
 *   await sleep(1);
 *   await synctest.wait();
 *   console.log(ctx.err()?.message); // context deadline exceeded
 *   cancel();
 * });
 * ```
 */
export async function test(fn: () => unknown): Promise<void> {
  if (bubbleOf() !== null) throw errMisuse('test called from within a bubble');
  const dead = await runBubble(fn);
  if (dead !== null) throw new BubbleDeadlockError(dead.reason, dead.report);
}

/**
 * Waits until every other goroutine of the current bubble is durably blocked (Go's
 * `synctest.Wait`). Time does not move while it waits; use it to let goroutines reach their
 * next blocking point before asserting on what they did.
 *
 * @returns a promise that resolves when the rest of the bubble is durably blocked.
 * @throws StrandError `STRAND_ERR_SYNCTEST_MISUSE` outside a bubble, or when another goroutine
 *   of the bubble is already in `wait`.
 * @example
 * ```ts
 * go(async () => { await results.send(compute()); });
 * await synctest.wait(); // the goroutine is now parked in its send
 * ```
 */
export function wait(): Promise<void> {
  const b = bubbleOf();
  if (b === null) return Promise.reject(errMisuse('wait called from outside a bubble'));
  if (b.waiter !== null) return Promise.reject(errMisuse('wait already in progress'));
  return bubbleWait(b);
}
