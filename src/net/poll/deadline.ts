/**
 * Deadlines (Go's `SetReadDeadline`/`SetWriteDeadline`): a Node timer exists only while a
 * deadline is set. When it fires, the side is marked expired (`RDL`/`WDL`): the parked operation
 * and every later one fail with {@link ErrDeadlineExceeded} until the deadline is moved or
 * cleared. One implementation for both sides, indexed by {@link Side}.
 *
 * Invariants (single JS thread):
 * - A side's timer is armed only while its deadline is in the future and the socket is open; it
 *   is unref'd (a deadline never keeps the process alive by itself).
 * - Setting a deadline clears the side's expired bit first; a deadline in the past fails parked
 *   operations at once.
 *
 * @module
 */

import { ErrClosed, ErrDeadlineExceeded } from './errors.js';
import { EXPIRED, Side, failSide, halfOf } from './side.js';
import { CLOSED, RDL, WDL, extra, wrap, type FDState } from './state.js';
import { kExtra, kState } from './_symbols.js';

/** The largest delay Node's timers accept. */
const MAX_TIMER_MS = 0x7fffffff;

/**
 * @internal Sets the read and/or write deadline of `fd`.
 *
 * @param sides 1 = read, 2 = write, 3 = both.
 * @param at absolute time in ms since the epoch; 0 clears the deadline.
 */
export function setDeadline(fd: FDState, sides: 1 | 2 | 3, at: number): void {
  if ((fd[kState] & CLOSED) !== 0) throw wrap(fd, 'set deadline', ErrClosed);
  if (at === 0 && fd[kExtra] === null) {
    fd[kState] &= sides === 1 ? ~RDL : sides === 2 ? ~WDL : ~(RDL | WDL);
    return;
  }
  if ((sides & 1) !== 0) setSide(fd, Side.Read, at);
  if ((sides & 2) !== 0) setSide(fd, Side.Write, at);
}

function setSide(fd: FDState, side: Side, at: number): void {
  const h = halfOf(extra(fd), side);
  if (h.timer !== null) {
    clearTimeout(h.timer);
    h.timer = null;
  }
  h.at = at;
  fd[kState] &= ~EXPIRED[side];
  if (at !== 0) arm(fd, side);
}

/** Fails the side if its deadline has passed, otherwise (re-)arms its timer. */
function arm(fd: FDState, side: Side): void {
  const h = halfOf(fd[kExtra]!, side);
  const d = h.at - Date.now();
  if (d <= 0) {
    fd[kState] |= EXPIRED[side];
    failSide(fd, side, ErrDeadlineExceeded);
    return;
  }
  h.timer = setTimeout(onDeadline, Math.min(d, MAX_TIMER_MS), fd, side);
  h.timer.unref();
}

function onDeadline(fd: FDState, side: Side): void {
  halfOf(fd[kExtra]!, side).timer = null;
  if ((fd[kState] & CLOSED) === 0) arm(fd, side); // re-checks the clock (and re-arms very long ones)
}

/** @internal Clears the deadline timers (closed, or the socket is gone). */
export function clearTimers(fd: FDState): void {
  const x = fd[kExtra];
  if (x === null) return;
  if (x.r.timer !== null) clearTimeout(x.r.timer);
  if (x.w.timer !== null) clearTimeout(x.w.timer);
  x.r.timer = x.w.timer = null;
}
