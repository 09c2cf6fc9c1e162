/**
 * The goroutine leak report (Go 1.26's goroutineleak profile): goroutines parked on a channel or a
 * sync primitive that nothing can reach any more, so nothing can ever wake them.
 *
 * ## Why it is sound (no false positives)
 * A goroutine parked in a plain channel send/receive, or on a sync primitive's queue, is woken
 * only by an operation on that channel or primitive: its waiter (and the waiter's resolve
 * function, the only way to resume it) is held by the owner's queue and by nothing else. So once
 * the owner is garbage — which the engine proves, not us — the goroutine can never run again.
 * We learn that through a `FinalizationRegistry` on the owner: it holds the owner weakly and,
 * once it is collected, hands us its numeric id (the held value is a number, so it keeps nothing
 * alive). The goroutine records the same id in `G.waitObj` when it parks there; any later park
 * resets it, so a stale id can never name a goroutine parked elsewhere.
 *
 * Tracked: plain channel send/receive, Mutex, RWMutex, WaitGroup, Cond, Once (waiting for another
 * caller's action) and Semaphore acquires without a context. Parks that something else can end
 * are never tracked: select (a timer or a context may win), sleep and timers, I/O, `sync.Once`
 * waiting for its own async action, and a semaphore acquire with a context.
 * A goroutine blocked on a nil channel can never be woken at all: it is reported at once.
 *
 * ## What must not hold the owner (and does not)
 * The runtime's own records must not keep a parked goroutine's channel reachable, or it is never
 * collected and the leak never shows (a missed report, never a false one):
 * - the registry holds every live `G`; a G keeps only its function's *name* (its closure would
 *   hold the channel it captured) and, in debug mode, its creation site as a *string* (an
 *   unformatted V8 stack holds the frames' functions and receivers);
 * - a G never points to its waiter; the waiter (`chan` field, resolve function, the promise and
 *   the goroutine's suspended frame behind it) is reachable only from the owner's queue: a cycle
 *   the collector frees as a whole;
 * - the attribution FIFO (resume-hook mode) holds Gs only, and `awaitable`'s side table is keyed
 *   weakly by G.
 * What the user's own code holds (a module-level variable, another goroutine's closure or frame
 * that may still run) keeps the channel alive, and then the goroutine is not reported: correct,
 * as it could still be woken.
 *
 * ## Cost
 * Nothing per operation: an owner is registered once, the first time a goroutine parks on it
 * (one registry cell), and each tracked park stores one integer in the G. The finalizer pushes
 * the id onto an array; ids are matched against the live goroutines in one pass when the report
 * is asked for, or when 4096 have piled up (so memory stays bounded without a report).
 *
 * @module
 */

import { forEachLive, mainG } from './goroutine.js';
import { G, GState, LEAKED } from './waiter.js';

let nextId = 1;
/** Ids of tracked owners collected since the last sweep. */
let dead: number[] = [];
const SWEEP_AT = 4096;

const registry = new FinalizationRegistry<number>(onCollected);

function onCollected(id: number): void {
  dead.push(id);
  if (dead.length >= SWEEP_AT) sweep();
}

/**
 * @internal Registers `owner` (a channel or a sync primitive's wait queue) for leak tracking and
 * returns its id (> 0). Call once per owner, the first time a goroutine parks on it, and store
 * the id in the owner.
 */
export function trackOwner(owner: object): number {
  const id = nextId++;
  registry.register(owner, id);
  return id;
}

/** Marks every goroutine parked on a collected owner as leaked. */
function sweep(): void {
  if (dead.length === 0) return;
  const ids = new Set(dead);
  dead = [];
  const mark = (g: G): void => {
    if (g.state === GState.Waiting && g.waitObj > 0 && ids.has(g.waitObj)) g.waitObj = LEAKED;
  };
  forEachLive(mark);
  mark(mainG);
}

/** @internal Whether `g` is known to be parked forever (after a sweep). */
export function isLeaked(g: G): boolean {
  return g.state === GState.Waiting && g.waitObj === LEAKED;
}

/** @internal Runs the pending sweep and calls `f` for every leaked goroutine (main included). */
export function forEachLeaked(f: (g: G) => void): void {
  sweep();
  forEachLive((g) => {
    if (isLeaked(g)) f(g);
  });
  if (isLeaked(mainG)) f(mainG);
}

/**
 * Whether a forced collection is possible: the process runs with `--expose-gc` (then
 * `globalThis.gc` exists).
 */
export function canForceGC(): boolean {
  return typeof (globalThis as { gc?: unknown }).gc === 'function';
}

function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * @internal Forces full collections when `--expose-gc` is available, and gives the engine's
 * finalization task a few event-loop turns to run. Returns false without `--expose-gc`.
 */
export async function collect(): Promise<boolean> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') return false;
  // The finalizers of one collection run in a task V8 posts after it; an owner freed only once
  // another has been (a chain) needs another round.
  for (let i = 0; i < 3; i++) {
    gc();
    await turn();
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return true;
}
