/**
 * A token bucket: at most `burst` lines at once, refilled at `perSecond`. The TCP reader sleeps
 * when it is empty (so TCP pushes back on a flooding client and no line is lost); the web side
 * answers 429.
 *
 * @module
 */

import { performance } from 'node:perf_hooks';

/** Lines per second and burst size; `perSecond` 0 means unlimited. */
export interface RateLimit {
  perSecond: number;
  burst: number;
}

/** Default for each client: 20 lines a second, bursts of 40. */
export const DEFAULT_RATE: RateLimit = { perSecond: 20, burst: 40 };

/**
 * Default for the commands whose reply is a listing (`/rooms`, `/who`, `/help`), on top of the
 * line rate: 2 a second, bursts of 10. Their replies are up to a few KB for a line of 6 bytes,
 * so at the line rate alone 100 clients could make the server write megabytes a second.
 */
export const DEFAULT_QUERY_RATE: RateLimit = { perSecond: 2, burst: 10 };

/** Whether a command is a listing, charged to the query rate too. */
export function isQuery(op: string): boolean {
  return op === 'rooms' || op === 'who' || op === 'help';
}

/**
 * One client's bucket. Used by one goroutine at a time (the TCP reader; for the web, the POST
 * handlers of one session, which JavaScript's single thread serializes).
 *
 * @example
 * ```ts
 * const bucket = new TokenBucket({ perSecond: 20, burst: 40 });
 * const wait = bucket.take();
 * if (wait > 0) await sleep(wait);
 * ```
 */
export class TokenBucket {
  readonly #rate: number;
  readonly #burst: number;
  #tokens: number;
  #last: number;

  constructor(limit: RateLimit) {
    this.#rate = limit.perSecond / 1000;
    this.#burst = limit.burst;
    this.#tokens = limit.burst;
    this.#last = performance.now();
  }

  /**
   * Takes one token.
   *
   * @returns 0 if there was one; otherwise how many ms until there is (the token is then taken
   * in advance, so a caller that waits that long may go on).
   */
  take(): number {
    if (this.#rate === 0) return 0;
    const now = performance.now();
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#last) * this.#rate);
    this.#last = now;
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : -this.#tokens / this.#rate;
  }

  /** Like {@link TokenBucket.take}, but takes nothing when none is available. */
  tryTake(): boolean {
    if (this.#rate === 0) return true;
    if (this.take() === 0) return true;
    this.#tokens += 1;
    return false;
  }
}
