/**
 * Failing a blocking call at once, through park/ready.
 *
 * Invariant: the waiter is readied (with the error) before the promise is returned; nothing can
 * find it afterwards, so it is never left parked.
 *
 * @module
 */

import { pollReadyError, pollWait, pollWaiter } from '../../runtime/netpoll.js';

/**
 * A promise rejected with `err` through park/ready (wait reason "IO wait"), for blocking calls
 * that fail at once but promise to reject rather than throw: the caller's goroutine resumes like
 * after any other park. The caller must `await` the result directly.
 */
export function failNow<T = never>(err: unknown): Promise<T> {
  const w = pollWaiter();
  const p = pollWait<T>(w, 'IO wait');
  pollReadyError(w, err);
  return p;
}
