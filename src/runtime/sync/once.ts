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
import { WaitQueue } from './_waitq.js';

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
  /** @internal */ _done = false;
  /** @internal */ _running = false;
  /** @internal */ readonly _waiters = new WaitQueue();

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
    if (this._done) return immediate(undefined);
    if (this._running) {
      const w = new Waiter();
      this._waiters.push(w);
      return park<void>(w, 'sync.Once.Do');
    }
    this._running = true;
    let r: unknown;
    try {
      r = fn();
    } catch (err) {
      this._finish();
      throw err;
    }
    if (r === null || typeof r !== 'object' || typeof (r as PromiseLike<unknown>).then !== 'function') {
      this._finish();
      return undefined;
    }
    // Async action: the caller parks until it settles (so the dump shows why it waits).
    const w = new Waiter();
    const p = park<void>(w, 'sync.Once.Do');
    (r as PromiseLike<unknown>).then(
      () => {
        this._finish();
        ready(w, undefined);
      },
      (err: unknown) => {
        this._finish();
        readyError(w, err);
      },
    );
    return p;
  }

  /** @internal */
  _finish(): void {
    this._done = true;
    this._running = false;
    const q = this._waiters;
    for (let w = q.shift(); w !== null; w = q.shift()) ready(w, undefined);
  }
}
