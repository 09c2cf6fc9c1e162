/**
 * Errors of strand/testing and the one table of their codes. Messages start with the Go package
 * they stand for (`synctest:`, `goleak:`, `io:`).
 *
 * @module
 */

import { StrandError } from '../runtime/index.js';

/** Error codes of the testing layer. */
export const testingCodes = {
  /** Every goroutine of a synctest bubble is durably blocked and no timer is pending. */
  BUBBLE_DEADLOCK: 'STRAND_ERR_BUBBLE_DEADLOCK',
  /** Misuse of synctest: `wait()` outside a bubble or twice at once, a bubble inside a bubble. */
  SYNCTEST_MISUSE: 'STRAND_ERR_SYNCTEST_MISUSE',
  /** The leak check found goroutines still alive at the end of a test. */
  GOROUTINE_LEAK: 'STRAND_ERR_GOROUTINE_LEAK',
  /** A read or write on a pipe end that was closed (Go's `io.ErrClosedPipe`). */
  CLOSED_PIPE: 'STRAND_ERR_CLOSED_PIPE',
} as const;

/**
 * A synctest bubble deadlocked: `message` is Go's (`deadlock: all goroutines in bubble are
 * blocked`, or `deadlock: main bubble goroutine has exited but blocked goroutines remain`)
 * followed by the dump of the bubble's goroutines, which `report` also holds alone.
 */
export class BubbleDeadlockError extends StrandError {
  /** The bubble's goroutines, in the goroutine dump's layout (wait reasons marked `(durable)`). */
  readonly report: string;

  /** @internal Built by synctest. */
  constructor(reason: string, report: string) {
    super(testingCodes.BUBBLE_DEADLOCK, `synctest: ${reason}\n\n${report}`);
    this.name = 'BubbleDeadlockError';
    this.report = report;
  }
}

/** The leak check found goroutines left running: the message lists each with its wait reason. */
export class LeakError extends StrandError {
  /** The leaked goroutines, in the goroutine dump's layout. */
  readonly report: string;
  /** How many goroutines leaked. */
  readonly count: number;

  /** @internal Built by the leak check. */
  constructor(count: number, report: string) {
    super(testingCodes.GOROUTINE_LEAK, `goleak: found ${count} unexpected goroutine${count === 1 ? '' : 's'}:\n\n${report}`);
    this.name = 'LeakError';
    this.report = report;
    this.count = count;
  }
}

/** @internal Misuse of synctest (`STRAND_ERR_SYNCTEST_MISUSE`). */
export function errMisuse(message: string): StrandError {
  return new StrandError(testingCodes.SYNCTEST_MISUSE, `synctest: ${message}`);
}

/**
 * Go's `io.ErrClosedPipe`: the cause of the `OpError` a pipe end's read or write throws once that
 * end (or, for a write, the other end) was closed. Compare with `errorIs(err, ErrClosedPipe)`.
 */
export const ErrClosedPipe: StrandError = new StrandError(testingCodes.CLOSED_PIPE, 'io: read/write on closed pipe');
