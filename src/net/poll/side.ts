/**
 * Sides: a socket has a read side and a write side that behave alike — one parked goroutine and
 * the ones queued behind it, a deadline, a "deadline passed" bit — so the code that fails a side
 * (close, a socket error, a deadline) is written once, indexed by {@link Side}.
 *
 * Invariant: failing a side readies its parked goroutine (ending its splice, if it is one) and
 * every queued one, each with its own wrapped error, after the side's state is settled.
 *
 * @module
 */

import { pollData, pollReadyError } from '../../runtime/netpoll.js';
import type { IOWait } from './iowait.js';
import { RDL, RPARKED, WDL, WPARKED, wrap, type Extra, type FDState, type Half } from './state.js';
import { kExtra, kReader, kState, kWriter } from './_symbols.js';

/** @internal The two sides of a socket. */
export const Side = {
  Read: 0,
  Write: 1,
} as const;
/** @internal One of {@link Side}'s values. */
export type Side = (typeof Side)[keyof typeof Side];

/** @internal Per side: the "parked" bit, the "deadline passed" bit, the operation name. */
export const PARKED = [RPARKED, WPARKED] as const;
/** @internal */
export const EXPIRED = [RDL, WDL] as const;
/** @internal */
export const OP = ['read', 'write'] as const;

/** @internal The side's reused IOWait (parked while the side's PARKED bit is set). */
export function waitOf(fd: FDState, side: Side): IOWait | null {
  return side === Side.Read ? fd[kReader] : fd[kWriter];
}

/** @internal The side's rare state. */
export function halfOf(x: Extra, side: Side): Half {
  return side === Side.Read ? x.r : x.w;
}

/**
 * @internal Fails the side's parked goroutine (ending a splice from or into this socket) and every
 * goroutine queued behind it with `err`, wrapped for the side's operation.
 */
export function failSide(fd: FDState, side: Side, err: Error): void {
  const op = OP[side];
  const bit = PARKED[side];
  if ((fd[kState] & bit) !== 0) {
    const io = waitOf(fd, side)!;
    if (io.sp !== null) io.sp.end(wrap(fd, op, err));
    else {
      fd[kState] &= ~bit;
      io.buf = null;
      pollReadyError(io.w, wrap(fd, op, err));
    }
  }
  const x = fd[kExtra];
  const q = x !== null ? halfOf(x, side).q : null;
  if (q === null) return;
  for (let w = q.shift(); w !== null; w = q.shift()) {
    pollData<IOWait>(w).buf = null;
    pollReadyError(w, wrap(fd, op, err));
  }
}
