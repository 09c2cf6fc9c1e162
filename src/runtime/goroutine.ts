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
 * JavaScript has no thread identity, so the runtime needs a mechanism to know which goroutine's
 * code is running (the dump, the wait reasons and the exit rules depend on it). Two exist, chosen
 * once at start-up ({@link attribution}):
 *
 * - `async-context-frame` (exact; Node 24+, and 22 with `--experimental-async-context-frame`).
 *   AsyncLocalStorage runs on V8's continuation-preserved embedder data: a store costs nothing
 *   measurable per promise (a bare-promise ping-pong measured the same with and without one).
 *   {@link go} runs the goroutine's function inside `als.run(g, …)`, and every continuation of
 *   its code — after strand operations *and* after any foreign promise (fs, fetch, a database
 *   client) — sees `g`. No per-wake-up work is needed.
 * - `resume-hook` (approximate; Node 20, 22 without the flag, where AsyncLocalStorage runs on
 *   promise hooks and makes every promise in the process ~2.4x slower). When `ready` settles a
 *   parked goroutine's promise it first queues a microtask of ours (a reaction on an
 *   already-resolved promise) and then settles the promise, which queues the awaiting
 *   continuation. Both jobs are queued back to back by the same synchronous call, and the
 *   microtask queue is FIFO, so our job runs immediately before the continuation and sets
 *   `current` to the goroutine being resumed (taken from a FIFO filled in settle order). This is
 *   exact for code that awaits strand operations directly, which is the style the whole library
 *   uses; after a goroutine awaits a foreign promise its next park may be attributed to another
 *   goroutine (or to main) until its next strand wake-up. The dump says so in its first line, and
 *   the exit rules never turn such a park into a false deadlock (see "The process boundary").
 *
 * `STRAND_ATTRIBUTION=resume-hook` forces the second mechanism (for comparisons).
 *
 * ## The process boundary (Go's rules)
 * - With a main goroutine ({@link main}, Go's `func main`): when it returns the process exits
 *   (status `process.exitCode ?? 0`) whatever other goroutines are doing; when it throws, that is a
 *   panic (status 2); when the event loop runs dry while it has not returned (it and every other
 *   goroutine are blocked, and no timer, I/O or awaited signal can change that), that is
 *   `fatal error: all goroutines are asleep - deadlock!` with the dump, status 2.
 * - Without one, Node's rule holds: the process ends when nothing is left to do. Goroutines left
 *   parked then are a leak, not a deadlock: the process exits normally, and says so on stderr only
 *   in debug mode ({@link setDebug}, `STRAND_DEBUG=1`). It is a deadlock only when code outside
 *   goroutines (a top-level `await ch.recv()`) is itself blocked on a strand operation. With exact
 *   attribution that is known from the park; with the resume hook a park attributed to main may
 *   belong to a goroutine, so the report is made only if Node also finds the entry module's
 *   top-level await unsettled (exit code 13): top-level code really is stuck.
 * - Exit guards (registered by the signal package) veto the deadlock while a goroutine waits for
 *   something the loop cannot see, like a signal, and keep the process alive meanwhile.
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
 * ## synctest bubbles
 * A goroutine may belong to a bubble (bubble.ts, `G.bubble`, inherited in {@link go} from its
 * creator). For such goroutines only, `park`, `ready`, exit and panic tell the bubble, which keeps
 * its durable-blocking counts and its virtual clock. Outside bubbles this costs one comparison
 * each: `go` and `park` test the module's bubble counter (while bubbles run, `park` takes a
 * separate path that also finds the parker exactly under the resume hook, see `bubbleAls`),
 * `ready` and exit test `G.bubble`.
 *
 * ## Observability hooks
 * - Counters (goroutines exited, wake-ups, budget yields) are plain integer increments on module
 *   state, read by metrics.ts through {@link runtimeCounters}; started is `nextId - 2`.
 * - diagnostics_channel: `strand:goroutine:start` (`{ id, fn }`), `strand:goroutine:exit`
 *   (`{ id }`), `strand:goroutine:park` (`{ id, waitReason }`) and `strand:goroutine:ready`
 *   (`{ id }`) are published only while someone subscribes: the hot paths read
 *   `channel.hasSubscribers` (a property read) and build no message otherwise.
 * - Leak tracking (leak.ts): `park` resets `G.waitObj`; a channel or a sync primitive sets it
 *   right after its park. The registry must not hold anything that reaches a parked goroutine's
 *   channel, so a G keeps its function's name, not the function.
 *
 * ## Why one file (~800 lines)
 * The registry, park/ready, the attribution FIFO, the fairness budget and the exit rules share
 * module-level state (`current`, `blocked`, `mainBlocked`, `ops`, `yielding`, the FIFO) that
 * `park`, `ready` and `immediate` — the hottest functions in strand — read and write on every
 * operation. Split across modules, each access would become an imported binding (a load chain
 * per use in optimized code) or a call. What does not touch that state lives elsewhere: the
 * records (waiter.ts), panics (panic.ts), the dump (dump.ts), the poller's entry (netpoll.ts).
 *
 * @module
 */

import { AsyncLocalStorage } from 'node:async_hooks';
import { channel } from 'node:diagnostics_channel';
import { writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { errInvalidArg } from './errors.js';
import { G, GState, Waiter, type BubbleHooks } from './waiter.js';
import { creationSite, die, panic } from './panic.js';

export { G, GState, Waiter } from './waiter.js';

/** How the runtime knows which goroutine is running (see the module comment). */
export type Attribution = 'async-context-frame' | 'resume-hook';

/**
 * AsyncLocalStorage is built on AsyncContextFrame when its prototype has no `_propagate` (the
 * promise-hook implementation's per-resource copy step): Node 24+ by default, 22 with
 * `--experimental-async-context-frame`, not with `--no-async-context-frame`.
 */
function detectAttribution(): Attribution {
  if (process.env.STRAND_ATTRIBUTION === 'resume-hook') return 'resume-hook';
  return '_propagate' in AsyncLocalStorage.prototype ? 'resume-hook' : 'async-context-frame';
}

const ATTRIBUTION: Attribution = detectAttribution();
/** True when goroutine identity comes from AsyncContextFrame (exact across any await). */
const EXACT = ATTRIBUTION === 'async-context-frame';
/** The store that names the running goroutine; null in resume-hook mode. */
const als: AsyncLocalStorage<G> | null = EXACT ? new AsyncLocalStorage<G>() : null;

/**
 * Which mechanism identifies the running goroutine in this process: `async-context-frame` (exact
 * across any await) or `resume-hook` (exact across strand operations, approximate after an await
 * of a foreign promise). See the runtime's module documentation.
 */
export function attribution(): Attribution {
  return ATTRIBUTION;
}

// ---- registry ------------------------------------------------------------------------------

/** @internal The pseudo-goroutine for code that runs outside any goroutine (module top level, callbacks). */
export const mainG = new G(1, 'main', null);
let nextId = 2;
let liveHead: G | null = null;
let liveCount = 0;
/** The goroutine whose code is running now (see "Knowing which goroutine is running"). */
let current: G = mainG;
/** Depth of go() calls running a goroutine's synchronous start. */
let starting = 0;
/** Number of parked waiters not yet readied (all goroutines, main included). */
let blocked = 0;
/** Number of those attributed to the main goroutine / code outside goroutines. */
let mainBlocked = 0;

let debug = process.env.STRAND_DEBUG === '1';

/**
 * Turns debug mode on or off. In debug mode {@link go} records where each goroutine was created
 * (shown by the dump), and goroutines still parked when the process ends are listed on stderr as
 * a leak (never an error: the exit status is unchanged). Off, it costs nothing. Also enabled by
 * the environment `STRAND_DEBUG=1`.
 */
export function setDebug(on: boolean): void {
  debug = on;
}

/** @internal Whether debug mode is on (see {@link setDebug}). */
export function isDebug(): boolean {
  return debug;
}

/** @internal The goroutine running now (the main pseudo-goroutine outside any goroutine). */
export function currentG(): G {
  return EXACT ? (als!.getStore() ?? mainG) : current;
}

/**
 * The number of live goroutines (Go's `runtime.NumGoroutine`): those started by {@link go}, plus
 * the main goroutine while {@link main} runs. Code outside goroutines is not counted.
 */
export function numGoroutine(): number {
  return mainRunning ? liveCount + 1 : liveCount;
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
export function forEachLive(f: (g: G) => void): void {
  for (let g = liveHead; g !== null; g = g.nextG) f(g);
}

// ---- counters and diagnostics_channel -----------------------------------------------------
// Plain integer increments on module state (Smis, no allocation); read only by metrics().

/** Goroutines that have returned (panics end the process). */
let exited = 0;
/** Parked goroutines made runnable (every ready/readyError that found a parked waiter). */
let wakeups = 0;
/** Slices ended by the fairness budget (resumes deferred to the run queue). */
let budgetYields = 0;

/**
 * Named channels published on only while someone subscribes: each hot path reads the channel's
 * `hasSubscribers` (a property read) and builds no message otherwise.
 */
const dcStart = channel('strand:goroutine:start');
const dcExit = channel('strand:goroutine:exit');
const dcPark = channel('strand:goroutine:park');
const dcReady = channel('strand:goroutine:ready');

// The publishing itself lives out of line, so that park and settle (inlined into every
// blocking operation) carry only the `hasSubscribers` read. Measured with no subscriber
// (load-tests/ab/runtime-ab.sh, 9-15 interleaved rounds on a loaded 2-core machine): try-first
// ping-pong 0.99x of before, await-style ping-pong 1.01-1.05x, within this machine's noise.
function publishPark(g: G, reason: string): void {
  dcPark.publish({ id: g.id, waitReason: reason });
}

function publishReady(g: G): void {
  dcReady.publish({ id: g.id });
}

/** @internal The runtime's counters, for metrics.ts (allocates one object per call). */
export function runtimeCounters(): {
  started: number;
  exited: number;
  wakeups: number;
  budgetYields: number;
  blocked: number;
  live: number;
} {
  return { started: nextId - 2, exited, wakeups, budgetYields, blocked, live: liveCount };
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
  const g = new G(nextId++, fn.name, debug ? creationSite(new Error('created by').stack) : null);
  link(g);
  if (dcStart.hasSubscribers) dcStart.publish({ id: g.id, fn: g.fnName });
  startDeadlockDetector();
  const result = bubbles === 0 ? start(g, fn, args) : startBubbled(g, fn, args);
  if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
    // Bound functions, not closures: this reaction lives as long as the goroutine, and a bound
    // function is the smallest way to carry `g` (see the memory notes in the benchmark).
    (result as PromiseLike<unknown>).then(onExit.bind(g), onPanic.bind(g));
  } else {
    exitG(g);
  }
  return g.id;
}

/**
 * Runs a goroutine's synchronous start as `g` and returns what `fn` returned; a synchronous throw
 * is a panic.
 */
function start<A extends unknown[]>(g: G, fn: (...args: A) => unknown, args: A): unknown {
  if (EXACT) {
    try {
      return als!.run(g, fn, ...args);
    } catch (err) {
      panic(g, err);
    }
  }
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
  return result;
}

function onExit(this: G): void {
  exitG(this);
}

function onPanic(this: G, err: unknown): void {
  if (this.bubble !== null && this.bubble.panic(this, err)) {
    exitG(this); // the bubble's test fails instead of the process
    return;
  }
  panic(this, err);
}

function exitG(g: G): void {
  g.state = GState.Dead;
  unlink(g);
  if (g.bubble !== null) g.bubble.exit(g);
  exited++;
  if (dcExit.hasSubscribers) dcExit.publish({ id: g.id });
  // Code that runs next, until a resume hook says otherwise, is outside any goroutine.
  if (!EXACT && current === g) current = mainG;
}

// ---- synctest bubbles (bubble.ts owns them; these are the runtime's few hooks) --------------

/** Number of synctest bubbles running: 0 keeps {@link go} and {@link park} to one comparison. */
let bubbles = 0;
/**
 * Resume-hook attribution only (Node < 24 without AsyncContextFrame), while bubbles run: an
 * AsyncLocalStorage naming the bubble goroutine whose code runs. The resume hook is exact only
 * across strand operations; a bubble goroutine that awaits one of its own async functions may
 * resume after another goroutine's hook, and its next park would be counted as someone else's —
 * the bubble would then wait forever for a goroutine it thinks is running. Bubbles are for tests,
 * so they pay AsyncLocalStorage's promise hooks (enabled from the first bubble's start to the
 * last one's end) for exact membership; nothing else reads this store.
 */
let bubbleAls: AsyncLocalStorage<G> | null = null;

/**
 * The goroutine a park or a `go` belongs to, for bubbles: `g` (what the runtime's attribution
 * says), or with the resume hook the bubble goroutine that {@link bubbleAls} names, unless that
 * one is parked or dead (then the code is a callback it left behind, run by someone else).
 */
function bubbleAttribution(g: G): G {
  if (bubbleAls === null) return g;
  const s = bubbleAls.getStore();
  if (s === undefined || s.state === GState.Waiting || s.state === GState.Dead) return g;
  return s;
}

/** {@link go}'s start while bubbles run: join the creator's bubble, then start (under bubbleAls). */
function startBubbled<A extends unknown[]>(g: G, fn: (...args: A) => unknown, args: A): unknown {
  joinBubble(g);
  if (g.bubble === null || bubbleAls === null) return start(g, fn, args);
  return bubbleAls.run(g, start<A>, g, fn, args);
}
/**
 * The bubble on whose behalf code outside goroutines runs now (its virtual timers firing, or
 * the start of its first goroutine), or null.
 */
let bubbleOverride: BubbleHooks | null = null;

/** A goroutine joins its creator's bubble (Go: membership is inherited at `go`). */
function joinBubble(g: G): void {
  const b = bubbleOverride ?? bubbleAttribution(currentG()).bubble;
  if (b === null) return;
  g.bubble = b;
  b.go(g);
}

/** @internal A bubble starts (+1) or ends (-1). */
export function bubbleCount(delta: number): void {
  bubbles += delta;
  if (EXACT) return;
  if (bubbles > 0 && bubbleAls === null) bubbleAls = new AsyncLocalStorage<G>();
  else if (bubbles === 0 && bubbleAls !== null) {
    bubbleAls.disable(); // its promise hooks cost every promise: only while bubbles run
    bubbleAls = null;
  }
}

/** @internal The bubble of the code running now (see {@link bubbleOverride}), or null. */
export function currentBubble(): BubbleHooks | null {
  if (bubbles === 0) return null;
  return bubbleOverride ?? bubbleAttribution(currentG()).bubble;
}

/** @internal Sets the bubble code outside goroutines runs for; returns the previous one. */
export function setBubbleOverride(b: BubbleHooks | null): BubbleHooks | null {
  const prev = bubbleOverride;
  bubbleOverride = b;
  return prev;
}

// ---- main ----------------------------------------------------------------------------------

/** Whether {@link main} was called, and whether its function is still running. */
let mainDeclared = false;
let mainRunning = false;

/**
 * Runs `fn` as the program's main goroutine (Go's `func main`), goroutine 1 in the dump:
 *
 * - when it returns, the process exits at once with status `process.exitCode ?? 0`, whatever other
 *   goroutines are doing (blocked, sleeping, ticking, accepting) — as Go does;
 * - when it throws, that is a panic: `panic: <message>`, the stack, exit status 2;
 * - when the event loop runs dry while it has not returned (it and every other goroutine are
 *   blocked, with no timer, I/O or awaited signal left to change that), the process prints
 *   `fatal error: all goroutines are asleep - deadlock!` and the dump, and exits with status 2.
 *
 * Without `main`, Node's rule holds (the process ends when nothing is left to do) and goroutines
 * left parked are a leak, not a deadlock. Call it once, from the program's entry module.
 *
 * @throws StrandError `STRAND_ERR_INVALID_ARG` if called a second time.
 *
 * @example
 * ```ts
 * main(async () => {
 *   const c = chan<string>();
 *   go(async () => { await c.recv(); }); // blocked forever: does not keep the process alive
 *   console.log('main done'); // the process exits 0 right after
 * });
 * ```
 */
export function main(fn: () => unknown): void {
  if (mainDeclared) throw errInvalidArg('runtime: main called twice');
  mainDeclared = true;
  mainRunning = true;
  startDeadlockDetector();
  mainG.state = GState.Running;
  const result = start(mainG, fn, []);
  if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
    (result as PromiseLike<unknown>).then(onMainReturn, onMainPanic);
  } else {
    onMainReturn();
  }
}

function onMainReturn(): void {
  mainRunning = false;
  mainG.state = GState.Dead;
  if (debug) reportLeaks();
  process.exit();
}

function onMainPanic(err: unknown): void {
  panic(mainG, err);
}

/** @internal Whether a main goroutine was declared and still runs (the dump always shows it). */
export function isMainRunning(): boolean {
  return mainRunning;
}

/**
 * @internal A panic outside any goroutine's own code (a signal delivered to a closed channel):
 * printed and fatal as a panic of the goroutine running now.
 */
export function panicCurrent(err: unknown): never {
  panic(currentG(), err);
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
  // any goroutine (a timer or I/O callback) that ran after it — or, with exact attribution, a
  // callback that goroutine registered, which inherits its context.
  let g = EXACT ? (als!.getStore() ?? mainG) : current;
  if (g.state === GState.Waiting) g = mainG;
  if (bubbles !== 0) return parkBubbled(p, g, w, reason);
  if (g === mainG) mainBlocked++;
  w.g = g;
  g.state = GState.Waiting;
  g.waitReason = reason;
  g.waitObj = 0; // the owner's file sets it after park when the park is tracked (leak.ts)
  if (coarseTimer === null) startCoarseClock();
  g.waitSince = coarseNow;
  blocked++;
  if (dcPark.hasSubscribers) publishPark(g, reason);
  return p;
}

/**
 * {@link park} while synctest bubbles run: the same bookkeeping, with the parker found through
 * {@link bubbleAttribution}, and the goroutine's bubble told (it decides what is durable).
 */
function parkBubbled<T>(p: Promise<T>, g: G, w: Waiter, reason: string): Promise<T> {
  g = bubbleAttribution(g);
  if (g === mainG) mainBlocked++;
  w.g = g;
  g.state = GState.Waiting;
  g.waitReason = reason;
  g.waitObj = 0; // as in park (leak.ts)
  if (coarseTimer === null) startCoarseClock();
  g.waitSince = coarseNow;
  blocked++;
  if (dcPark.hasSubscribers) publishPark(g, reason);
  if (g.bubble !== null) g.bubble.park(g, w, reason);
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
  if (EXACT) {
    if (yielding && als!.getStore() !== undefined) return preempt(v);
    return v;
  }
  if (yielding && current !== mainG) return preempt(v);
  // `starting`: inside go()'s synchronous start, go() itself restores `current` to the caller's
  // before the goroutine's continuation runs, so the hook is needed even with nothing pending.
  if ((fifoHead !== fifoTail || starting > 0) && current !== mainG) {
    queueHook(current);
  }
  return v;
}

/** Each goroutine's awaitable() reaction, made on first use (see {@link awaitable}). */
const resumers = new WeakMap<G, (v: unknown) => unknown>();

/**
 * Hands the result of a composite blocking operation (one built from several runtime operations,
 * like a buffered reader's `readLine`) to a caller that awaits it, keeping the caller's goroutine
 * attribution: a plain value goes through {@link immediate}; a promise is chained so that, when it
 * settles, the caller's continuation runs right behind a resume hook for the goroutine that made
 * the call. Use it on the public methods of such operations, not on their internal calls.
 */
export function awaitable<T>(x: T | Promise<T>): T | Promise<T> {
  if (!(x instanceof Promise)) return immediate(x);
  if (EXACT) return x; // the continuation carries its goroutine by itself
  const g = current;
  if (g === mainG) return x;
  // Per-goroutine state, not a closure per call: the goroutine's bound resumeAs, made on its
  // first slow awaitable. Kept in a side table rather than a field of G: most goroutines never
  // need one, and a field would cost every parked goroutine 8 bytes.
  let f = resumers.get(g);
  if (f === undefined) resumers.set(g, (f = resumeAs.bind(g)));
  return x.then(f as (v: T) => T);
}


/** Bound to a goroutine (its `resumer`): queues its resume hook right before the caller continues. */
function resumeAs(this: G, v: unknown): unknown {
  queueHook(this);
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
    if (!EXACT) queueHook(this.g);
    reject(this.err);
  }
}

function settle(g: G, fn: (v: any) => void, v: unknown): void {
  blocked--;
  wakeups++;
  if (dcReady.hasSubscribers) publishReady(g);
  if (g === mainG) mainBlocked--;
  if (g.state === GState.Waiting) g.state = GState.Runnable;
  // Counted runnable by its bubble now, when the wake-up is decided, not when it resumes.
  if (g.bubble !== null) g.bubble.ready(g);
  if (yielding) {
    runq.push(g, fn, v);
    return;
  }
  resume(g, fn, v);
  if ((++ops & BUDGET_MASK) === 0) checkBudget();
}

/** Settles a parked promise, preceded by its resume hook (a Failure queues its own). */
function resume(g: G, fn: (v: any) => void, v: unknown): void {
  if (!EXACT && !(v instanceof Failure)) queueHook(g);
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
    budgetYields++;
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

// ---- the process boundary: deadlock, leaks, exit guards ----------------------------------

let detectorInstalled = false;
let deadlockHook: (() => string) | null = null;
const exitGuards: (() => boolean)[] = [];

/** @internal The dump module registers how to format the goroutine dump for the fatal error. */
export function setDumpFormatter(f: () => string): void {
  deadlockHook = f;
}

/**
 * @internal Registers a guard asked when the event loop runs dry: returning true means "a
 * goroutine waits for something the loop cannot see (a signal), and the guard has arranged to keep
 * the process alive" — no deadlock is reported then. The signal package uses it.
 */
export function addExitGuard(f: () => boolean): void {
  exitGuards.push(f);
  startDeadlockDetector();
}

function startDeadlockDetector(): void {
  if (detectorInstalled) return;
  detectorInstalled = true;
  process.on('beforeExit', onBeforeExit);
  process.on('exit', onExitEvent);
}

function guarded(): boolean {
  let kept = false;
  for (const f of exitGuards) if (f()) kept = true;
  return kept;
}

function onBeforeExit(): void {
  // Nothing is left to run: no timer, no I/O, no pending setImmediate. Parked waiters can never
  // be readied now, unless a guard knows better (a goroutine waiting for a signal).
  if (guarded()) return;
  if (mainDeclared) {
    if (mainRunning) deadlock();
    return;
  }
  // No main: only code outside goroutines blocked on a strand operation is a deadlock. With
  // exact attribution the count is exact; with the resume hook it must be confirmed by Node's
  // knowledge that the entry module's top-level await is unsettled: here on Node 20 (its
  // run_main keeps an 'exit' listener named handleProcessExit until the entry settles), in
  // onExitEvent on 22+ (exit code 13).
  if (mainBlocked > 0 && (EXACT || process.listeners('exit').some(isEntryPending))) deadlock();
}

function isEntryPending(f: Function): boolean {
  return f.name === 'handleProcessExit';
}

/** Node's exit code for an entry module whose top-level await never settled. */
const UNSETTLED_TLA = 13;

function onExitEvent(code: number): void {
  if (!mainDeclared && !EXACT && mainBlocked > 0 && (code === UNSETTLED_TLA || process.exitCode === UNSETTLED_TLA)) {
    // Resume-hook attribution: a park counted as main's may be a goroutine's, but Node found the
    // entry module's top-level await unsettled, so top-level code really is stuck.
    deadlock();
  }
  if (debug && !mainDeclared) reportLeaks();
}

function deadlock(): never {
  const dump = deadlockHook !== null ? deadlockHook() : '';
  die(`fatal error: all goroutines are asleep - deadlock!\n\n${dump}exit status 2\n`, 2);
}

let leaksReported = false;

/** Debug mode: names the goroutines still parked when the process ends (a leak, not an error). */
function reportLeaks(): void {
  if (leaksReported) return;
  leaksReported = true;
  const n = blocked - mainBlocked;
  if (n <= 0) return;
  const dump = deadlockHook !== null ? deadlockHook() : '';
  try {
    writeSync(2, `strand: ${n} goroutine${n === 1 ? '' : 's'} still parked at exit (leaked):\n\n${dump}`);
  } catch {
    // stderr closed
  }
}

/** @internal Coarse clock value used for wait durations. */
export function waitClock(): number {
  return coarseTimer === null ? performance.now() : coarseNow;
}
