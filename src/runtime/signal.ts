/**
 * Go's os/signal for strand: incoming process signals delivered on channels.
 *
 * Invariants:
 * - `byChan` maps each notified channel to its registration; `bySignal` maps each signal to the
 *   registrations that asked for it, and has a process listener exactly while that set is
 *   non-empty (removing the last listener restores Node's default behaviour for the signal, as
 *   Go's `signal.Stop`/`Reset` restore the default action).
 * - Delivery never blocks (Go's rule): a signal arriving while the channel's buffer is full (or an
 *   unbuffered channel has no receiver waiting) is dropped. Use a buffered channel.
 * - A goroutine waiting on a notified channel (a receive or a select case on it, or on the
 *   `done()` of a {@link notifyContext} context) keeps the process alive and is not a deadlock:
 *   when the event loop runs dry the runtime asks {@link keepAlive}, which holds a ref'd timer
 *   until the next signal arrives (or the registration is stopped). Nothing is held while the
 *   loop has other work, so a registration costs nothing until then.
 *
 * All state is touched only by the single JavaScript thread.
 *
 * @module
 */

import { Chan } from './chan.js';
import type { SendChan } from './chan.js';
import { type CancelFunc, type Context, withCancelCause } from './context.js';
import { StrandError, codes, errInvalidArg } from './errors.js';
import { addExitGuard, panicCurrent } from './goroutine.js';
import { kWaiting } from './_symbols.js';

/** One `notify` call site: a channel (or a context's canceller) and the signals it wants. */
interface Registration {
  /** The channel signals are sent on, or null for a context registration. */
  readonly ch: Chan<NodeJS.Signals> | null;
  /** Called with the signal instead of a send (notifyContext). */
  readonly fn: ((sig: NodeJS.Signals) => void) | null;
  /** The channel whose waiting receivers keep the process alive. */
  readonly watch: Chan<unknown> | null;
  readonly signals: Set<NodeJS.Signals>;
}

const byChan = new Map<Chan<NodeJS.Signals>, Registration>();
const bySignal = new Map<NodeJS.Signals, Set<Registration>>();
const listeners = new Map<NodeJS.Signals, (sig: NodeJS.Signals) => void>();
let keepTimer: NodeJS.Timeout | null = null;
let guardInstalled = false;

/** SIGKILL and SIGSTOP cannot be caught; Node refuses listeners for them. */
const uncatchable = new Set(['SIGKILL', 'SIGSTOP']);

function checkSignals(what: string, signals: NodeJS.Signals[]): void {
  if (signals.length === 0) {
    throw errInvalidArg(`signal: ${what} needs at least one signal (Node cannot relay every signal)`);
  }
  for (const s of signals) {
    if (typeof s !== 'string' || !s.startsWith('SIG') || uncatchable.has(s)) {
      throw errInvalidArg(`signal: ${what}: cannot catch ${String(s)}`);
    }
  }
}

function deliver(sig: NodeJS.Signals): void {
  stopKeepAlive(); // the loop re-decides once the receivers have run
  const regs = bySignal.get(sig);
  if (regs === undefined) return;
  for (const r of [...regs]) {
    if (r.fn !== null) {
      r.fn(sig);
      continue;
    }
    try {
      r.ch!.trySend(sig); // never blocks: a full channel drops the signal, as in Go
    } catch (err) {
      panicCurrent(err); // a notified channel was closed: Go panics with "send on closed channel"
    }
  }
}

function listen(sig: NodeJS.Signals, r: Registration): void {
  let regs = bySignal.get(sig);
  if (regs === undefined) {
    regs = new Set();
    bySignal.set(sig, regs);
    const l = (): void => deliver(sig);
    listeners.set(sig, l);
    process.on(sig, l);
  }
  regs.add(r);
  r.signals.add(sig);
}

function unlisten(r: Registration): void {
  for (const sig of r.signals) {
    const regs = bySignal.get(sig)!;
    regs.delete(r);
    if (regs.size === 0) {
      bySignal.delete(sig);
      process.removeListener(sig, listeners.get(sig)!);
      listeners.delete(sig);
    }
  }
  r.signals.clear();
  if (bySignal.size === 0) stopKeepAlive();
}

function installGuard(): void {
  if (guardInstalled) return;
  guardInstalled = true;
  addExitGuard(keepAlive);
}

/** Asked by the runtime when the event loop runs dry: does a goroutine wait for a signal? */
function keepAlive(): boolean {
  for (const regs of bySignal.values()) {
    for (const r of regs) {
      if (r.watch !== null && r.watch[kWaiting]()) {
        // Waiting for a signal: hold the loop open until one arrives (deliver() releases it).
        keepTimer ??= setInterval(noop, 0x7fffffff);
        return true;
      }
    }
  }
  return false;
}

function stopKeepAlive(): void {
  if (keepTimer !== null) {
    clearInterval(keepTimer);
    keepTimer = null;
  }
}

function noop(): void {}

/**
 * Relays the given incoming signals to `ch` (Go's `signal.Notify`). Delivery does not block: if
 * `ch` has no room when a signal arrives, that signal is dropped — give it a buffer (1 is enough
 * for one signal value). Catching a signal replaces Node's default action for it (SIGINT and
 * SIGTERM no longer end the process) until {@link stop} or {@link reset}. Calling it again for the
 * same channel adds signals. A goroutine waiting on `ch` keeps the process alive and is not a
 * deadlock.
 *
 * @throws StrandError `STRAND_ERR_INVALID_ARG` with no signal, or SIGKILL/SIGSTOP.
 *
 * @example
 * ```ts
 * const sigs = chan<NodeJS.Signals>(1);
 * signal.notify(sigs, 'SIGINT', 'SIGTERM');
 * const sig = await sigs.recv();
 * console.log(`got ${sig}, shutting down`);
 * ```
 */
export function notify(ch: SendChan<NodeJS.Signals>, ...signals: NodeJS.Signals[]): void {
  checkSignals('notify', signals);
  const c = ch as Chan<NodeJS.Signals>;
  if (!(c instanceof Chan)) throw errInvalidArg('signal: notify using a nil channel');
  let r = byChan.get(c);
  if (r === undefined) {
    r = { ch: c, fn: null, watch: c as Chan<unknown>, signals: new Set() };
    byChan.set(c, r);
  }
  installGuard();
  for (const s of signals) listen(s, r);
}

/**
 * Stops relaying signals to `ch` (Go's `signal.Stop`). When it returns, `ch` receives no more
 * signals; signals nobody else catches get Node's default action back.
 */
export function stop(ch: SendChan<NodeJS.Signals>): void {
  const r = byChan.get(ch as Chan<NodeJS.Signals>);
  if (r === undefined) return;
  byChan.delete(ch as Chan<NodeJS.Signals>);
  unlisten(r);
}

/**
 * Undoes every `notify` for the given signals (all of them when none is given): Node's default
 * action applies again (Go's `signal.Reset`).
 */
export function reset(...signals: NodeJS.Signals[]): void {
  const which = signals.length > 0 ? signals : [...bySignal.keys()];
  for (const sig of which) {
    const regs = bySignal.get(sig);
    if (regs === undefined) continue;
    for (const r of [...regs]) {
      r.signals.delete(sig);
      regs.delete(r);
    }
    bySignal.delete(sig);
    process.removeListener(sig, listeners.get(sig)!);
    listeners.delete(sig);
  }
  if (bySignal.size === 0) stopKeepAlive();
}

/**
 * A copy of `parent` that is cancelled when one of the signals arrives (Go's
 * `signal.NotifyContext`), and a `stop` function that unregisters the signals (Node's default
 * action applies again) and cancels the context; call it once the work is done. The context's
 * `err()` is `Canceled`; its cause names the signal. A goroutine waiting on its `done()` keeps the
 * process alive.
 *
 * @example
 * ```ts
 * const [ctx, stopSignals] = signal.notifyContext(context.background(), 'SIGINT', 'SIGTERM');
 * await recv(ctx.done()); // until Ctrl-C or `kill <pid>`
 * stopSignals();
 * ```
 */
export function notifyContext(parent: Context, ...signals: NodeJS.Signals[]): [Context, CancelFunc] {
  checkSignals('notifyContext', signals);
  const [ctx, cancel] = withCancelCause(parent);
  const r: Registration = {
    ch: null,
    fn: (sig) => cancel(new StrandError(codes.CANCELED, `signal: received ${sig}`)),
    watch: ctx.done() as Chan<unknown>,
    signals: new Set(),
  };
  installGuard();
  for (const s of signals) listen(s, r);
  const stopCtx: CancelFunc = () => {
    unlisten(r);
    cancel();
  };
  return [ctx, stopCtx];
}
