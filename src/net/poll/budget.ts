/**
 * The cooperative budget (Tokio's coop budget, Go's preemption): a loop of reads and writes that
 * all complete at once never parks, so it would never let the event loop run — one busy
 * connection would starve every other socket and timer. Each operation that completes without
 * waiting calls {@link spend}; when the current slice of work has lasted {@link SLICE_MS}, the
 * operation hands its result back through {@link yieldValue} instead, which lets the event loop
 * have a turn first.
 *
 * Cost: one increment and a mask per operation; the clock is read once every
 * {@link CHECK_EVERY} operations. A slice begins when the event loop has had a turn since the
 * last check (a marker `setImmediate` has run), so an idle process never yields needlessly.
 *
 * @module
 */

import { performance } from 'node:perf_hooks';
import { Waiter, park, ready, readyError } from '../../runtime/goroutine.js';

/** Length of a slice of I/O that completes without waiting, in ms. */
export const SLICE_MS = 2;
/** Operations between two looks at the clock (a power of two). */
export const CHECK_EVERY = 64;
const MASK = CHECK_EVERY - 1;

let ops = 0;
let sliceStart = 0;
let markerPending = false;

function marker(): void {
  markerPending = false;
}

/**
 * Counts one operation that completed without waiting.
 *
 * @returns true when the caller should yield (return its result through {@link yieldValue}).
 */
export function spend(): boolean {
  if ((++ops & MASK) !== 0) return false;
  const now = performance.now();
  if (!markerPending) {
    // The event loop has turned since the slice began (or this is the first check): new slice.
    markerPending = true;
    sliceStart = now;
    setImmediate(marker);
    return false;
  }
  return now - sliceStart >= SLICE_MS;
}

/**
 * Parks the current goroutine (wait reason "preempted") until the event loop has had a turn,
 * then resumes it with `v`. The caller must `await` the result directly.
 */
export function yieldValue<T>(v: T): Promise<T> {
  const w = new Waiter();
  const p = park<T>(w, 'preempted');
  setImmediate(ready, w, v);
  return p;
}

/**
 * A promise rejected with `err` through park/ready (wait reason "IO wait"), for blocking calls
 * that fail at once but promise to reject rather than throw: the caller's goroutine resumes like
 * after any other park. The caller must `await` the result directly.
 */
export function failNow<T = never>(err: unknown): Promise<T> {
  const w = new Waiter();
  const p = park<T>(w, 'IO wait');
  readyError(w, err);
  return p;
}
