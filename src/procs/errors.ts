/**
 * Errors of strand/procs and the one table of their codes. Messages start with `procs:`;
 * argument errors carry the runtime's `STRAND_ERR_INVALID_ARG`.
 *
 * @module
 */

import { StrandError, codes } from '../runtime/index.js';

/** Error codes of the procs layer. */
export const procsCodes = {
  /**
   * The supervisor gave up: workers kept crashing at start-up (before any of them listened).
   * The primary prints the error and exits with status 1.
   */
  START_FAILED: 'STRAND_ERR_PROCS_START_FAILED',
  /** `run` called a second time in one process. */
  RUN_TWICE: 'STRAND_ERR_PROCS_RUN_TWICE',
} as const;

/** @internal An argument outside what procs accepts (`STRAND_ERR_INVALID_ARG`). */
export function errInvalidArg(message: string): StrandError {
  return new StrandError(codes.INVALID_ARG, `procs: ${message}`);
}

/** @internal The supervisor's give-up error (`STRAND_ERR_PROCS_START_FAILED`). */
export function errStartFailed(message: string): StrandError {
  return new StrandError(procsCodes.START_FAILED, `procs: ${message}`);
}

/** @internal `run` called twice (`STRAND_ERR_PROCS_RUN_TWICE`). */
export function errRunTwice(): StrandError {
  return new StrandError(procsCodes.RUN_TWICE, 'procs: run called twice');
}
