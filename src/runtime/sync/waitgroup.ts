/**
 * WaitGroup (Go's `sync.WaitGroup`): waits for a collection of goroutines to finish.
 *
 * Invariant: `waiters` is non-empty only while `counter > 0`; when the counter reaches zero
 * every waiter is dequeued and readied.
 *
 * @module
 */

import { go, immediate, park, ready, Waiter } from '../goroutine.js';
import type { MaybePromise } from '../chan.js';
import { WaitQueue } from '../waitq.js';
import { errSync } from '../errors.js';

/**
 * Counts outstanding tasks; {@link WaitGroup.wait} blocks until the count is zero.
 *
 * @example
 * ```ts
 * const wg = new WaitGroup();
 * for (const url of urls) wg.go(() => fetchOne(url));
 * await wg.wait();
 * ```
 */
export class WaitGroup {
  #counter = 0;
  readonly #waiters = new WaitQueue();

  /**
   * Adds `delta` (which may be negative) to the counter. When it reaches zero, every goroutine
   * blocked in {@link WaitGroup.wait} is released.
   *
   * @throws StrandError `sync: negative WaitGroup counter` (code `STRAND_ERR_SYNC`) if the
   * counter would go below zero (the counter is left unchanged).
   */
  add(delta: number): void {
    const n = this.#counter + delta;
    if (n < 0) throw errSync('sync: negative WaitGroup counter');
    this.#counter = n;
    if (n === 0) {
      const q = this.#waiters;
      for (let w = q.shift(); w !== null; w = q.shift()) ready(w, undefined);
    }
  }

  /** Decrements the counter by one (Go's `Done`). @throws as {@link WaitGroup.add}. */
  done(): void {
    this.add(-1);
  }

  /**
   * Blocks until the counter is zero (reason `sync.WaitGroup.Wait`). Returns `undefined` at once
   * if it already is.
   */
  wait(): MaybePromise<void> {
    if (this.#counter === 0) return immediate(undefined);
    const w = new Waiter();
    this.#waiters.push(w);
    const p = park<void>(w, 'sync.WaitGroup.Wait');
    this.#waiters.parked(w);
    return p;
  }

  /**
   * Runs `fn` in a new goroutine and counts it (Go 1.25's `WaitGroup.Go`): `add(1)` now, `done()`
   * when `fn` returns or throws. An error thrown by `fn` is a panic, as in any goroutine.
   *
   * @returns the goroutine's id.
   */
  go(fn: () => unknown): number {
    this.add(1);
    return go(runCounted, this, fn);
  }
}

async function runCounted(wg: WaitGroup, fn: () => unknown): Promise<void> {
  try {
    await fn();
  } finally {
    wg.done();
  }
}
