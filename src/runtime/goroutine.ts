/**
 * Goroutines and the park/ready contract — the one thing every blocking operation in strand is
 * built on (channels, select, timers, sync, the netpoller).
 *
 * ## Goroutines
 * A goroutine is a function started with {@link go}. It runs synchronously until its first
 * `await`; each blocking strand call it awaits parks it. The registry keeps every live goroutine
 * in an intrusive list (no Map entry per goroutine) so the dump and the deadlock detector can see
 * them all.
 *
 * ## The park/ready contract
 * - `park(w, reason)` marks the current goroutine waiting with a wait reason, stores the resolve
 *   function of a fresh promise in the waiter `w`, and returns that promise. The
 *   caller must have made `w` reachable (queued it on a channel, a mutex, a socket) before or
 *   right after parking; whoever finds it there readies it.
 * - `ready(w, v)` / `readyError(w, e)` make the goroutine runnable. A waiter is readied at most
 *   once: the first call clears `w.resolve`, later calls are no-ops. Readying never resumes the
 *   goroutine synchronously in the middle of someone else's operation: it resolves a promise, so
 *   the goroutine continues in a later microtask (or, when the fairness budget is spent, after the
 *   event loop has had a turn). Callers settle all shared state (queues, buffers) before they
 *   call ready.
 * - Every park gives a distinct wait reason ("chan receive", "select", "sync.Mutex.Lock",
 *   "IO wait"...), shown by the goroutine dump.
 *
 * ## Knowing which goroutine is running
 * JavaScript has no thread identity, and AsyncLocalStorage doubles the cost of every promise on
 * Node 20. Instead, when `ready` settles a parked goroutine's promise it first queues a microtask
 * of ours (a reaction on an already-resolved promise) and then settles the promise, which queues
 * the awaiting continuation. Both jobs are queued back to back by the same synchronous call, and
 * the microtask queue is FIFO, so our job runs immediately before the continuation and sets
 * `current` to the goroutine being resumed (taken from a FIFO filled in settle order). The
 * attribution is exact for code that awaits strand operations directly, which is the style the
 * whole library uses. Doing this at ready time rather than at park time means a parked goroutine
 * carries no extra reaction: the cost is one microtask per wake-up, none while parked.
 *
 * ## Fairness
 * Goroutines that keep readying each other (a ping-pong) would run forever inside one microtask
 * drain and starve timers and sockets. `ready` and `immediate` (the at-once paths) count
 * operations; every {@link BUDGET_CHECK} of them the runtime checks whether the event loop has had
 * a turn since the slice began (a marker `setImmediate` that has or has not run yet) and, if a
 * slice has lasted longer than {@link SLICE_MS}, it defers further resumes to a run queue drained
 * by `setImmediate`, which lets timers and I/O run first. The clock is only read once per check,
 * never per operation.
 *
 * @module
 */

import { writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** Goroutine states, as Go names them. */
export const GState = {
  Runnable: 0,
  Running: 1,
  Waiting: 2,
  Dead: 3,
} as const;
/** One of {@link GState}'s values. */
export type GState = (typeof GState)[keyof typeof GState];

const stateNames = ['runnable', 'running', 'waiting', 'dead'] as const;

/** A goroutine's record. Fields are owned by this module; read them through {@link goroutines}. */
export class G {
  readonly id: number;
  /** The function the goroutine runs (its name is shown by the dump). */
  readonly fn: Function;
  state: GState = GState.Running as GState;
  /** Why it is waiting; meaningful only in state Waiting. */
  waitReason = '';
  /** Coarse timestamp (ms since process start) of the last park. */
  waitSince = 0;
  /** Creation site, captured only in debug mode. */
  readonly createdAt: Error | null;
  /** Intrusive list of live goroutines; guarded by this module. */
  prevG: G | null = null;
  nextG: G | null = null;

  constructor(id: number, fn: Function, createdAt: Error | null) {
    this.id = id;
    this.fn = fn;
    this.createdAt = createdAt;
  }
}

/**
 * Something a goroutine parks on: Go's `sudog`, one shape for every kind of wait (channels,
 * select, sync, timers, the netpoller).
 *
 * **Do not subclass it.** `park` and `ready` are the hottest functions in strand; every extra
 * class that flows through them makes their property accesses polymorphic and then megamorphic
 * (measured: a channel ping-pong went from ~380 to ~590 ns per round trip once six waiter classes
 * had passed through `ready`). Keep per-wait state in the generic fields below or in your own
 * object that points to the waiter.
 *
 * Field ownership:
 * - `g`, `resolve`: the runtime's. {@link park} sets them, {@link ready} clears `resolve`. Only
 *   the resolve function is kept (a parked goroutine is the most numerous object a server has);
 *   {@link readyError} settles through it with a thenable that rejects.
 * - `value`, `ok`, `mode`, `isSend`, `sel`, `idx`, `chan`, `queued`: channels and select (see
 *   sudog.ts). Other users may use `value` as a free slot.
 * - `next`, `prev`: intrusive queue links for whoever queues the waiter (a channel, a mutex...).
 *   A waiter is in at most one queue at a time.
 */
export class Waiter {
  g: G | null = null;
  resolve: ((v: any) => void) | null = null;
  /** Send: the value to send. Receive / select case: the value received. Free slot otherwise. */
  value: unknown = undefined;
  /** Receive: false if completed by close. */
  ok = false;
  /** Receive result form (sudog.ts RecvMode). */
  mode = 0;
  /** A send (channel queues) rather than a receive. */
  isSend = false;
  /** The select waiter this case belongs to while parked in a select. */
  sel: Waiter | null = null;
  /** Index of this case in its select. */
  idx = 0;
  /** Channel: the channel a plain sudog is queued on, or a select case's channel. */
  chan: any = null;
  /** True while in a queue. */
  queued = false;
  next: Waiter | null = null;
  prev: Waiter | null = null;
}

// ---- registry ------------------------------------------------------------------------------

/** The pseudo-goroutine for code that runs outside any goroutine (module top level, callbacks). */
export const mainG = new G(1, function main() {}, null);
let nextId = 2;
let liveHead: G | null = null;
let liveCount = 0;
/** The goroutine whose code is running now (see "Knowing which goroutine is running"). */
let current: G = mainG;
/** Depth of go() calls running a goroutine's synchronous start. */
let starting = 0;
/** Number of parked waiters not yet readied (all goroutines, main included). */
let blocked = 0;

let debug = process.env.STRAND_DEBUG === '1';

/**
 * Turns debug mode on or off. In debug mode {@link go} records where each goroutine was created
 * (shown by the dump). Off, it costs nothing. Also enabled by the environment `STRAND_DEBUG=1`.
 */
export function setDebug(on: boolean): void {
  debug = on;
}

/** The goroutine running now (the main pseudo-goroutine outside any goroutine). */
export function currentG(): G {
  return current;
}

/** The number of live goroutines started by {@link go} (the main module is not counted). */
export function numGoroutine(): number {
  return liveCount;
}

function link(g: G): void {
  g.nextG = liveHead;
  if (liveHead !== null) liveHead.prevG = g;
  liveHead = g;
  liveCount++;
}

function unlink(g: G): void {
  if (g.prevG !== null) g.prevG.nextG = g.nextG;
  else liveHead = g.nextG;
  if (g.nextG !== null) g.nextG.prevG = g.prevG;
  g.prevG = g.nextG = null;
  liveCount--;
}

/** @internal Iterates the live goroutines, newest first. */
export function _forEachLive(f: (g: G) => void): void {
  for (let g = liveHead; g !== null; g = g.nextG) f(g);
}

// ---- go ------------------------------------------------------------------------------------

/**
 * Starts `fn(...args)` as a new goroutine and returns its id.
 *
 * The function runs at once, synchronously, until its first `await`; the caller continues after
 * that. An error thrown by the goroutine (synchronously or as a rejected promise) is a panic: it
 * prints `panic: <message>` with the goroutine id and stack to stderr and exits the process with
 * status 2, as Go does. Servers that must survive a failing handler recover per request
 * themselves.
 *
 * @example
 * ```ts
 * const done = chan<string>();
 * go(async (name: string) => { await done.send(`hello ${name}`); }, 'gopher');
 * console.log(await done.recv());
 * ```
 */
export function go<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): number {
  const g = new G(nextId++, fn, debug ? new Error('created by') : null);
  link(g);
  startDeadlockDetector();
  const prev = current;
  current = g;
  starting++;
  let result: unknown;
  try {
    result = fn(...args);
  } catch (err) {
    starting--;
    current = prev;
    panic(g, err);
  }
  starting--;
  current = prev;
  if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
    // Bound functions, not closures: this reaction lives as long as the goroutine, and a bound
    // function is the smallest way to carry `g` (see the memory notes in the benchmark).
    (result as PromiseLike<unknown>).then(onExit.bind(g), onPanic.bind(g));
  } else {
    exitG(g);
  }
  return g.id;
}

function onExit(this: G): void {
  exitG(this);
}

function onPanic(this: G, err: unknown): void {
  panic(this, err);
}

function exitG(g: G): void {
  g.state = GState.Dead;
  unlink(g);
  // Code that runs next, until a resume hook says otherwise, is outside any goroutine.
  if (current === g) current = mainG;
}

/** Replaceable for tests of the panic path; writes synchronously so nothing is lost on exit. */
function die(text: string, status: number): never {
  try {
    writeSync(2, text);
  } catch {
    // stderr closed: nothing more we can do
  }
  process.exit(status);
}

/** Formats a panic value the way Go prints it after `panic: `. */
export function _panicMessage(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return err.name === 'Error' || err.name === 'StrandError' || code === undefined
      ? err.message
      : `${err.name}: ${err.message}`;
  }
  try {
    return String(err);
  } catch {
    return Object.prototype.toString.call(err);
  }
}

function panic(g: G, err: unknown): never {
  let text = `panic: ${_panicMessage(err)}\n\ngoroutine ${g.id} [running]:\n`;
  if (err instanceof Error && typeof err.stack === 'string') {
    const lines = err.stack.split('\n');
    const frames = lines.filter((l) => l.startsWith('    at '));
    text += (frames.length > 0 ? frames.map((l) => l.slice(4)).join('\n') : err.stack) + '\n';
  } else {
    text += `${fnName(g)}(...)\n`;
  }
  if (g.createdAt !== null) text += createdBy(g) + '\n';
  die(text + 'exit status 2\n', 2);
}

/** @internal The function name shown for a goroutine. */
export function fnName(g: G): string {
  return g.fn.name !== '' ? g.fn.name : 'anonymous';
}

/** @internal "created by ..." line from the debug-mode creation stack. */
export function createdBy(g: G): string {
  const stack = g.createdAt?.stack;
  if (stack === undefined) return '';
  // Frame 0 is "Error: created by", frame 1 is go() itself, frame 2 the caller.
  const frames = stack.split('\n').filter((l) => l.startsWith('    at '));
  const site = frames[1] ?? frames[0] ?? '';
  return `created by ${site.trim().replace(/^at /, '')}`;
}

// ---- park / ready --------------------------------------------------------------------------

let pendingResolve: ((v: any) => void) | null = null;
function capture(res: (v: any) => void): void {
  pendingResolve = res;
}

// FIFO of goroutines in the order their park promises were settled (see module comment).
let fifo: G[] = new Array<G>(1024);
let fifoHead = 0;
let fifoTail = 0;
let fifoMask = 1023;

function fifoPush(g: G): void {
  fifo[fifoTail] = g;
  fifoTail = (fifoTail + 1) & fifoMask;
  if (fifoTail === fifoHead) growFifo();
}

function growFifo(): void {
  const old = fifo;
  const n = old.length;
  const next = new Array<G>(n * 2);
  for (let i = 0; i < n; i++) next[i] = old[(fifoHead + i) & fifoMask];
  fifo = next;
  fifoHead = 0;
  fifoTail = n;
  fifoMask = n * 2 - 1;
}

const RESOLVED = Promise.resolve();

/**
 * Queues the resume hook for `g`: a microtask that sets `current = g`. The caller settles the
 * promise `g` awaits right after, so the hook runs immediately before `g`'s continuation.
 */
function queueHook(g: G): void {
  fifoPush(g);
  RESOLVED.then(onResume);
}

function onResume(): void {
  const g = fifo[fifoHead];
  fifo[fifoHead] = mainG;
  fifoHead = (fifoHead + 1) & fifoMask;
  // A hook whose goroutine has parked (or ended) since it was queued is stale: immediate()
  // queued it for an at-once result the caller then used without awaiting (the try-first
  // style), so the continuation that follows is not that goroutine's.
  const st = g.state;
  if (st === GState.Waiting || st === GState.Dead) return;
  current = g;
  g.state = GState.Running;
}

/** Coarse clock (ms since process start) for wait durations; refreshed by a 50 ms unref'd timer. */
let coarseNow = 0;
let coarseTimer: NodeJS.Timeout | null = null;
function tickCoarse(): void {
  coarseNow = performance.now();
}

/**
 * Parks the current goroutine on `w` with a wait reason and returns the promise that
 * {@link ready} or {@link readyError} settles. The caller makes `w` findable by whoever will
 * ready it. The returned promise must be awaited directly by the parked goroutine.
 */
export function park<T = unknown>(w: Waiter, reason: string): Promise<T> {
  const p = new Promise<T>(capture);
  w.resolve = pendingResolve;
  // A goroutine that is itself parked cannot be the one running: the caller is code outside
  // any goroutine (a timer or I/O callback) that ran after it.
  const g = current.state === GState.Waiting ? mainG : current;
  w.g = g;
  g.state = GState.Waiting;
  g.waitReason = reason;
  if (coarseTimer === null) startCoarseClock();
  g.waitSince = coarseNow;
  blocked++;
  return p;
}

function startCoarseClock(): void {
  coarseNow = performance.now();
  coarseTimer = setInterval(tickCoarse, 50);
  coarseTimer.unref();
  startDeadlockDetector();
}

/**
 * The at-once path of a blocking operation: returns `v` for the caller to await — or, when the
 * fairness budget is spent, a promise of `v` that resolves after the event loop has had a turn.
 * Blocking operations call it on their at-once paths (never the try forms, which are not
 * awaited); it does two things:
 *
 * - Fairness. Goroutines that `await` operations which never block (a producer and a consumer
 *   on a buffered channel, a loop of selects over ready channels) never park, so `ready` never
 *   runs; counting their operations here gives them the same budget as everyone else.
 * - Attribution. `await plainValue` still yields: the goroutine continues in a microtask that no
 *   resume hook precedes. If resume hooks of other goroutines are already queued (the FIFO is
 *   non-empty), they would run first and leave `current` naming the last of them, so one more
 *   hook is queued, for the current goroutine, right before the caller's continuation (the
 *   caller awaits at once after we return, so nothing is queued in between). When no hook is
 *   pending, nothing can change `current` before the continuation and this costs a comparison.
 */
export function immediate<T>(v: T): T | Promise<T> {
  if ((++ops & BUDGET_MASK) === 0) checkBudget();
  // Only goroutines are preempted: code outside them (module top level, callbacks) may use the
  // plain value synchronously, and a synchronous loop cannot be preempted anyway.
  if (yielding && current !== mainG) return preempt(v);
  // `starting`: inside go()'s synchronous start, go() itself restores `current` to the caller's
  // before the goroutine's continuation runs, so the hook is needed even with nothing pending.
  if ((fifoHead !== fifoTail || starting > 0) && current !== mainG) {
    queueHook(current);
  }
  return v;
}

/**
 * Hands the result of a composite blocking operation (one built from several runtime operations,
 * like a buffered reader's `readLine`) to a caller that awaits it, keeping the caller's goroutine
 * attribution: a plain value goes through {@link immediate}; a promise is chained so that, when it
 * settles, the caller's continuation runs right behind a resume hook for the goroutine that made
 * the call. Use it on the public methods of such operations, not on their internal calls.
 */
export function awaitable<T>(x: T | Promise<T>): T | Promise<T> {
  if (!(x instanceof Promise)) return immediate(x);
  const g = current;
  if (g === mainG) return x;
  return x.then((v) => resumeAs(g, v));
}

function resumeAs<T>(g: G, v: T): T {
  queueHook(g);
  return v;
}

/** The slice is spent: deliver `v` through the run queue, after the event loop's turn. */
function preempt<T>(v: T): Promise<T> {
  const w = new Waiter();
  const p = park<T>(w, 'preempted');
  ready(w, v); // yielding: queued on the run queue, drained by setImmediate
  return p;
}

/**
 * Makes the goroutine parked on `w` runnable; its `await` resolves to `v`. At most once per park:
 * later calls do nothing. Never runs the goroutine synchronously.
 */
export function ready(w: Waiter, v?: unknown): void {
  const res = w.resolve;
  if (res === null) return;
  w.resolve = null;
  settle(w.g!, res, v);
}

/** Like {@link ready}, but the parked `await` throws `err`. */
export function readyError(w: Waiter, err: unknown): void {
  const res = w.resolve;
  if (res === null) return;
  w.resolve = null;
  const g = w.g!;
  settle(g, res, new Failure(g, err));
}

/**
 * How {@link readyError} fails a parked promise with only its resolve function: resolving with a
 * thenable makes V8 call `then(resolve, reject)` in a microtask, and that is where we queue the
 * resume hook and reject, so the hook still runs immediately before the awaiting continuation
 * (a plain rejected promise would take extra microtask hops after the hook). No rejected promise
 * exists until the goroutine is resumed, so nothing can be reported as an unhandled rejection
 * while the resume waits on the run queue.
 */
class Failure {
  readonly g: G;
  readonly err: unknown;
  constructor(g: G, err: unknown) {
    this.g = g;
    this.err = err;
  }
  then(_resolve: unknown, reject: (e: unknown) => void): void {
    queueHook(this.g);
    reject(this.err);
  }
}

function settle(g: G, fn: (v: any) => void, v: unknown): void {
  blocked--;
  if (g.state === GState.Waiting) g.state = GState.Runnable;
  if (yielding) {
    runq.push(g, fn, v);
    return;
  }
  resume(g, fn, v);
  if ((++ops & BUDGET_MASK) === 0) checkBudget();
}

/** Settles a parked promise, preceded by its resume hook (a Failure queues its own). */
function resume(g: G, fn: (v: any) => void, v: unknown): void {
  if (!(v instanceof Failure)) queueHook(g);
  fn(v);
}

// ---- fairness ------------------------------------------------------------------------------

/** Length of a slice of continuous goroutine work before the event loop gets a turn (ms). */
const SLICE_MS = 2;
/** Operations (readies and at-once completions) between two looks at the clock. */
const BUDGET_CHECK = 256;
const BUDGET_MASK = BUDGET_CHECK - 1;

let ops = 0;
let sliceStart = 0;
let markerPending = false;
let yielding = false;
const runq: unknown[] = [];

function marker(): void {
  markerPending = false;
}

function checkBudget(): void {
  const now = performance.now();
  coarseNow = now;
  if (!markerPending) {
    // The event loop has had a turn since the last check: a new slice begins.
    markerPending = true;
    sliceStart = now;
    setImmediate(marker);
    return;
  }
  if (now - sliceStart >= SLICE_MS) {
    yielding = true;
    setImmediate(drainRunq);
  }
}

function drainRunq(): void {
  yielding = false;
  markerPending = false;
  const q = runq.splice(0, runq.length);
  for (let i = 0; i < q.length; i += 3) resume(q[i] as G, q[i + 1] as (v: unknown) => void, q[i + 2]);
}

/**
 * Yields the processor: other ready goroutines, timers and I/O run before the caller continues.
 * Go's `runtime.Gosched()`.
 */
export function gosched(): Promise<void> {
  const w = new Waiter();
  const p = park<void>(w, 'gosched');
  w.g!.state = GState.Runnable; // Go shows a yielded goroutine as runnable, not waiting
  setImmediate(ready, w, undefined);
  return p;
}

// ---- deadlock detection --------------------------------------------------------------------

let detectorInstalled = false;
let deadlockHook: (() => string) | null = null;

/** @internal The dump module registers how to format the goroutine dump for the fatal error. */
export function _setDumpFormatter(f: () => string): void {
  deadlockHook = f;
}

function startDeadlockDetector(): void {
  if (detectorInstalled) return;
  detectorInstalled = true;
  process.on('beforeExit', onBeforeExit);
}

function onBeforeExit(): void {
  // Nothing is left to run: no timer, no I/O, no pending setImmediate. Parked waiters can never
  // be readied now.
  if (blocked > 0) {
    const dump = deadlockHook !== null ? deadlockHook() : '';
    die(`fatal error: all goroutines are asleep - deadlock!\n\n${dump}exit status 2\n`, 2);
  }
}

/** @internal Name of a state. */
export function _stateName(s: GState): string {
  return stateNames[s];
}

/** @internal Coarse clock value used for wait durations. */
export function _coarseNow(): number {
  return coarseTimer === null ? performance.now() : coarseNow;
}
