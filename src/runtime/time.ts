/**
 * Time: sleep, timers, tickers (Go's package time, with Go 1.23 timer semantics). Durations are
 * numbers of milliseconds.
 *
 * ## Design
 * Each Timer/Ticker owns one Node timer (`setTimeout`/`setInterval`) whose callback receives a
 * {@link TimerState}, never the channel itself:
 * - Keep-alive: the Node timer is `unref()`ed, so an idle timer never keeps the process alive.
 *   The channel's watch hook (`kWatch`) (called by the channel when its receive queue becomes
 *   non-empty / empty — a plain receive, a `for await`, or a select case) `ref()`s it while a
 *   goroutine waits on the channel, so a goroutine parked on `after(ms)` keeps the process
 *   alive until the timer fires (and the deadlock detector does not fire early).
 * - No leak: the state holds the channel through a `WeakRef` only, so a timer whose channel the
 *   program dropped can be collected; a `FinalizationRegistry` then clears the Node timer (a
 *   ticker would otherwise tick forever). While a goroutine waits on the channel the state also
 *   holds it strongly (`strong`): the waiting goroutine's frame is otherwise reachable only
 *   through the channel itself, and must not be collected with it.
 * - Go 1.23 semantics: the channel has a one-value buffer; `stop()` and `reset()` drain it, so
 *   no value from the previous arming is received after they return. `stop()`/`reset()` report
 *   `true` when they prevented a value from being received (the timer was pending, or its value
 *   was still unreceived in the buffer). A Go 1.23 timer channel reports `len` and `cap` 0; ours
 *   report the buffer (0 or 1, and 1).
 *
 * - synctest bubbles: a timer created by code of a bubble (bubble.ts) runs on the bubble's virtual
 *   clock instead of a Node timer (`startTimer`/`stopTimer` choose), and the time it delivers is
 *   the bubble's ({@link now}).
 *
 * Invariants (single JS thread; all fields below are touched only by this module):
 * - `TimerState.handle !== null` exactly while the timer is armed (pending).
 * - A one-shot timer's channel buffer is empty whenever it is armed (stop/reset drain it first),
 *   so firing never finds it full.
 * - `handle` is ref'd iff `waiting` (a goroutine is parked on the channel); afterFunc timers are
 *   always ref'd while armed.
 *
 * @module
 */

import { go, park, ready } from './goroutine.js';
import { Waiter } from './waiter.js';
import { Chan } from './chan.js';
import { kWatch } from './_symbols.js';
import { errInvalidArg } from './errors.js';
import { startTimer, stopTimer, type TimerHandle } from './bubble.js';
import { now } from './clock.js';

export { Millisecond, Second, Minute, Hour, now } from './clock.js';

// ---- sleep ---------------------------------------------------------------------------------

/**
 * Pauses the current goroutine for at least `ms` milliseconds (Go's `time.Sleep`). The goroutine
 * is parked with wait reason `sleep` (visible in the goroutine dump) and the pending sleep keeps
 * the process alive. A duration `<= 0` returns at the next microtask.
 *
 * @param ms - duration in milliseconds.
 * @returns a promise that resolves when the time has passed.
 * @example
 * ```ts
 * go(async () => {
 *   await sleep(100 * Millisecond);
 *   console.log('100 ms later');
 * });
 * ```
 */
export function sleep(ms: number): Promise<void> {
  timersStarted++;
  const w = new Waiter();
  const p = park<void>(w, 'sleep');
  if (ms > 0) startTimer(ready, clampDelay(ms), w);
  else ready(w, undefined);
  return p;
}

/** Timers armed so far (sleeps, Timer/Ticker starts and resets, afterFunc): a plain counter. */
let timersStarted = 0;

/** @internal The number of timers armed so far (for metrics.ts). */
export function timerCount(): number {
  return timersStarted;
}

/** Node's timers accept 1..2^31-1 ms; longer delays fire at once with a warning. */
const MAX_DELAY = 0x7fffffff;

function clampDelay(ms: number): number {
  if (!(ms >= 1)) return 1; // also NaN
  return ms > MAX_DELAY ? MAX_DELAY : ms;
}

// ---- channel timers ------------------------------------------------------------------------

/**
 * What a Node timer's callback holds for a channel timer. Never references the channel strongly
 * except through `strong` while a goroutine waits on it.
 */
class TimerState {
  /** The channel, weakly: the timer must not keep a dropped channel alive. */
  readonly weak: WeakRef<Chan<Date>>;
  /** The channel while a goroutine is parked on it (see module comment); otherwise null. */
  strong: Chan<Date> | null = null;
  /** The armed Node (or virtual) timer, or null when stopped/fired. */
  handle: TimerHandle | null = null;
  /** A goroutine is parked on the channel's receive queue. */
  waiting = false;
  /** 0 for a one-shot timer, the period for a ticker. */
  period = 0;

  constructor(c: Chan<Date>) {
    this.weak = new WeakRef(c);
  }
}

/** Clears the Node timer of a channel timer whose channel was garbage-collected. */
const registry = new FinalizationRegistry<TimerState>(disarm);

function disarm(st: TimerState): void {
  const h = st.handle;
  if (h === null) return;
  st.handle = null;
  stopTimer(h, st.period > 0);
}

function fireTimer(st: TimerState): void {
  st.handle = null;
  const c = st.strong ?? st.weak.deref();
  if (c === undefined || c.closed) return;
  c.trySend(now());
}

function fireTick(st: TimerState): void {
  const c = st.strong ?? st.weak.deref();
  if (c === undefined || c.closed) {
    disarm(st);
    return;
  }
  c.trySend(now()); // a full buffer drops the tick, as Go's ticker does
}

/** Makes the timer channel keep the process alive only while a goroutine waits on it. */
function watch(c: Chan<Date>, st: TimerState): void {
  c[kWatch]((waiting: boolean): void => {
    st.waiting = waiting;
    st.strong = waiting ? c : null;
    const h = st.handle;
    if (h !== null) {
      if (waiting) h.ref();
      else h.unref();
    }
  });
  registry.register(c, st);
}

function arm(st: TimerState, ms: number): void {
  timersStarted++;
  const h = st.period > 0 ? startTimer(fireTick, st.period, st, st.period) : startTimer(fireTimer, clampDelay(ms), st);
  if (!st.waiting) h.unref();
  st.handle = h;
}

/** Removes a stale buffered value; true if there was one. */
function drain(c: Chan<Date>): boolean {
  let drained = false;
  while (c.len > 0) {
    c.tryRecv();
    drained = true;
  }
  return drained;
}

/**
 * A single event (Go's `*time.Timer`): after the duration, the current time is delivered on `c`,
 * unless the timer is stopped first. Create one with {@link newTimer}.
 */
export class Timer {
  /** Receives the time once the timer fires. */
  readonly c: Chan<Date>;
  readonly #st: TimerState;

  /** Use {@link newTimer}. */
  constructor(ms: number) {
    const c = new Chan<Date>(1);
    const st = new TimerState(c);
    this.c = c;
    this.#st = st;
    watch(c, st);
    start(st, c, ms);
  }

  /**
   * Stops the timer (Go 1.23 `Timer.Stop`). After it returns, no value from this arming is
   * received from `c`, even one the timer had already delivered but nobody had received.
   *
   * @returns true if the call prevented a value from being received (the timer was pending or
   * its value was unreceived); false if it had already been received or the timer was stopped.
   */
  stop(): boolean {
    const st = this.#st;
    let pending = st.handle !== null;
    disarm(st);
    if (drain(this.c)) pending = true;
    return pending;
  }

  /**
   * Re-arms the timer to fire after `ms` (Go 1.23 `Timer.Reset`): any value of the previous
   * arming is discarded first, so the next value received is from the new arming.
   *
   * @param ms - the new duration; `<= 0` delivers at once.
   * @returns true if the timer had been pending (as {@link Timer.stop} reports).
   */
  reset(ms: number): boolean {
    const pending = this.stop();
    start(this.#st, this.c, ms);
    return pending;
  }

  /**
   * Stops the timer when a `using` scope ends (`using t = newTimer(ms)`), as {@link Timer.stop}
   * does: no value of this arming is received afterwards.
   */
  [Symbol.dispose](): void {
    this.stop();
  }
}

function start(st: TimerState, c: Chan<Date>, ms: number): void {
  if (ms > 0) arm(st, ms);
  else c.trySend(now()); // due now: deliver at once, as Go 1.23 does on the next receive
}

/**
 * Creates a {@link Timer} that delivers the current time on its channel `c` after `ms`
 * milliseconds (Go's `time.NewTimer`). An unreceived, unreferenced timer does not keep the
 * process alive and is garbage-collected with its channel.
 *
 * @param ms - duration in milliseconds; `<= 0` fires at once.
 * @returns the timer.
 * @example
 * ```ts
 * const t = newTimer(5 * Second);
 * const msg = recvCase(messages), timeout = recvCase(t.c);
 * if ((await select([msg, timeout])) === 0) t.stop();
 * ```
 */
export function newTimer(ms: number): Timer {
  return new Timer(ms);
}

/**
 * A channel that receives the current time after `ms` milliseconds (Go's `time.After`, the same
 * as `newTimer(ms).c`). Handy as a timeout case in {@link select}.
 *
 * @param ms - duration in milliseconds.
 * @returns the channel.
 * @example
 * ```ts
 * const r = recvCase(results), t = recvCase(after(Second));
 * if ((await select([r, t])) === 1) throw new Error('timed out');
 * ```
 */
export function after(ms: number): Chan<Date> {
  return new Timer(ms).c;
}

// ---- tickers -------------------------------------------------------------------------------

/**
 * Delivers the time on `c` every period (Go's `*time.Ticker`). A slow receiver misses ticks:
 * the channel holds one tick, and ticks that find it full are dropped. Create one with
 * {@link newTicker}; call {@link Ticker.stop} when done.
 */
export class Ticker {
  /** Receives a tick every period. */
  readonly c: Chan<Date>;
  readonly #st: TimerState;

  /** Use {@link newTicker}. */
  constructor(ms: number) {
    if (!(ms > 0)) throw errInvalidArg('time: non-positive interval for NewTicker');
    const c = new Chan<Date>(1);
    const st = new TimerState(c);
    st.period = ms;
    this.c = c;
    this.#st = st;
    watch(c, st);
    arm(st, ms);
  }

  /**
   * Turns the ticker off (Go 1.23 `Ticker.Stop`): no more ticks are sent, and an unreceived tick
   * is discarded. Does not close the channel.
   */
  stop(): void {
    disarm(this.#st);
    drain(this.c);
  }

  /**
   * Stops the ticker and restarts it with period `ms` (Go's `Ticker.Reset`); the next tick comes
   * `ms` after the call. An unreceived tick from before is discarded.
   *
   * @throws StrandError `time: non-positive interval for Ticker.Reset` (code
   * `STRAND_ERR_INVALID_ARG`) if `ms <= 0`.
   */
  reset(ms: number): void {
    if (!(ms > 0)) throw errInvalidArg('time: non-positive interval for Ticker.Reset');
    this.stop();
    this.#st.period = ms;
    arm(this.#st, ms);
  }

  /**
   * Stops the ticker when a `using` scope ends (`using tk = newTicker(ms)`), as
   * {@link Ticker.stop} does: no more ticks, an unreceived tick is discarded.
   */
  [Symbol.dispose](): void {
    this.stop();
  }
}

/**
 * Creates a {@link Ticker} that delivers the time every `ms` milliseconds (Go's
 * `time.NewTicker`).
 *
 * @param ms - the period in milliseconds.
 * @returns the ticker.
 * @throws StrandError `time: non-positive interval for NewTicker` if `ms <= 0`.
 * @example
 * ```ts
 * const tk = newTicker(Second);
 * for (let i = 0; i < 3; i++) console.log('tick', await tk.c.recv());
 * tk.stop();
 * ```
 */
export function newTicker(ms: number): Ticker {
  return new Ticker(ms);
}

/**
 * A channel that receives the time every `ms` milliseconds (Go's `time.Tick`). The ticker cannot
 * be stopped, but once the channel is unreferenced it is garbage-collected (Go 1.23). For
 * `ms <= 0` Go returns a nil channel; this returns a channel that never receives anything.
 *
 * @param ms - the period in milliseconds.
 * @returns the tick channel.
 * @example
 * ```ts
 * for await (const now of tick(Minute)) console.log('still alive at', now);
 * ```
 */
export function tick(ms: number): Chan<Date> {
  if (!(ms > 0)) return new Chan<Date>(0);
  return new Ticker(ms).c;
}

// ---- afterFunc -----------------------------------------------------------------------------

/** The pending call of an {@link afterFunc} timer; held strongly by its Node timer. */
class FuncState {
  handle: TimerHandle | null = null;
  readonly fn: () => unknown;
  constructor(fn: () => unknown) {
    this.fn = fn;
  }
}

function fireFunc(st: FuncState): void {
  st.handle = null;
  go(st.fn);
}

/**
 * A timer that calls a function in its own goroutine when it fires (Go's `time.AfterFunc`).
 * Its `c` is null, as Go's is nil. Create one with {@link afterFunc}.
 */
export class FuncTimer {
  /** Always null: an afterFunc timer delivers nothing on a channel. */
  readonly c: null = null;
  readonly #st: FuncState;

  /** Use {@link afterFunc}. */
  constructor(ms: number, fn: () => unknown) {
    this.#st = new FuncState(fn);
    timersStarted++;
    this.#st.handle = startTimer(fireFunc, clampDelay(ms), this.#st);
  }

  /**
   * Prevents the call (Go's `Timer.Stop`). It does not wait for a call already started.
   *
   * @returns true if the call was prevented; false if the function had already been started or
   * the timer was stopped.
   */
  stop(): boolean {
    const h = this.#st.handle;
    if (h === null) return false;
    stopTimer(h);
    this.#st.handle = null;
    return true;
  }

  /**
   * Re-arms the timer to call the function after `ms` (again, if it already ran).
   *
   * @returns true if the timer had been pending.
   */
  reset(ms: number): boolean {
    const pending = this.stop();
    timersStarted++;
    this.#st.handle = startTimer(fireFunc, clampDelay(ms), this.#st);
    return pending;
  }

  /**
   * Prevents the call when a `using` scope ends (`using t = afterFunc(ms, fn)`), as
   * {@link FuncTimer.stop} does; a call already started is not waited for.
   */
  [Symbol.dispose](): void {
    this.stop();
  }
}

/**
 * Calls `fn` in its own goroutine after `ms` milliseconds (Go's `time.AfterFunc`). The pending
 * call keeps the process alive until it runs or the timer is stopped. An error thrown by `fn` is
 * a panic, as in any goroutine.
 *
 * @param ms - duration in milliseconds.
 * @param fn - the function to run; it may be async.
 * @returns a timer whose `stop()` prevents the call.
 * @example
 * ```ts
 * const t = afterFunc(30 * Second, () => conn.close());
 * // ... finished in time:
 * t.stop();
 * ```
 */
export function afterFunc(ms: number, fn: () => unknown): FuncTimer {
  return new FuncTimer(ms, fn);
}
