/**
 * The clock and the units of duration (Go's `time.Now` and `time.Duration` constants). Durations
 * are numbers of milliseconds. Inside a synctest bubble the clock is the bubble's virtual one
 * (bubble.ts); elsewhere it is the wall clock.
 *
 * @module
 */

import { nowMs } from './bubble.js';

/** One millisecond: the unit of every duration in strand. */
export const Millisecond = 1;
/** One second, in ms. */
export const Second = 1000;
/** One minute, in ms. */
export const Minute = 60 * Second;
/** One hour, in ms. */
export const Hour = 60 * Minute;

/**
 * The current time as a Date (Go's `time.Now`): the wall clock, or in a synctest bubble its
 * virtual clock (from midnight UTC 2000-01-01, moving only when the bubble is durably blocked).
 * Timer and ticker channels deliver it; context deadlines are measured against it.
 *
 * @example
 * ```ts
 * const start = now();
 * await sleep(5 * Second); // now().getTime() - start.getTime() is 5000 in a bubble
 * ```
 */
export function now(): Date {
  return new Date(nowMs());
}
