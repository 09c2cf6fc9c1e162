/**
 * Once (Go's `sync.Once`): runs a function exactly once, even when called concurrently.
 *
 * States: not started → running (`running`, callers queue in `waiters`) → done (`done`).
 * Invariant: `waiters` is non-empty only while `running`; on completion (return or throw) `done`
 * is set and every waiter is readied.
 *
 * @module
 */

import { immediate, park, ready, readyError, Waiter } from '../goroutine.js';
import type { MaybePromise } from '../chan.js';
import { WaitQueue } from '../waitq.js';

/**
 * Performs one action exactly once.
 *
 * @example
 * ```ts
 * const once = new Once();
 * let config: Config;
 * async function getConfig() {
 *   await once.do(async () => { config = await load(); });
 *   return config;
 * }
 * ```
 */
export class Once {
  #done = false;
  #running = false;
  readonly #waiters = new WaitQueue();

  /**
   * Calls `fn` if and only if this is the first call of `do` for this Once. `fn` may be async:
   * concurrent callers wait (reason `sync.Once.Do`) until the first call has finished, so they
   * all observe its effects. If `fn` throws (or rejects), the error goes to the first caller
   * only and the Once still counts as done: later calls do not call `fn` again, as in Go.
   *
   * @param fn - the action.
   * @returns `undefined` when nothing had to be awaited, otherwise a promise.
   * @throws whatever `fn` throws, to the caller that ran it.
   */
  do(fn: () => unknown): MaybePromise<void> {
    if (this.#done) return immediate(undefined);
    if (this.#running) {
      const w = new Waiter();
      this.#waiters.push(w);
      const p = park<void>(w, 'sync.Once.Do');
      this.#waiters.parked(w);
      return p;
    }
    this.#running = true;
    let r: unknown;
    try {
      r = fn();
    } catch (err) {
      this.#finish();
      throw err;
    }
    if (r === null || typeof r !== 'object' || typeof (r as PromiseLike<unknown>).then !== 'function') {
      this.#finish();
      return undefined;
    }
    // Async action: the caller parks until it settles (so the dump shows why it waits).
    const w = new Waiter();
    const p = park<void>(w, 'sync.Once.Do');
    (r as PromiseLike<unknown>).then(
      () => {
        this.#finish();
        ready(w, undefined);
      },
      (err: unknown) => {
        this.#finish();
        readyError(w, err);
      },
    );
    return p;
  }

    #finish(): void {
    this.#done = true;
    this.#running = false;
    const q = this.#waiters;
    for (let w = q.shift(); w !== null; w = q.shift()) ready(w, undefined);
  }
}
