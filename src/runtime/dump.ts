/**
 * The goroutine dump: every live goroutine with its state, wait reason, how long it has waited,
 * the function it runs and (in debug mode) where it was created — Go's SIGQUIT traceback, in text
 * and as data.
 *
 * @module
 */

import { waitClock, forEachLive, setDumpFormatter, isMainRunning, attribution, currentG, mainG } from './goroutine.js';
import { G, GState, stateName } from './waiter.js';
import { createdBy, fnName } from './panic.js';
import { collect, forEachLeaked } from './leak.js';

/** One goroutine as the dump reports it. */
export interface GoroutineInfo {
  /** Goroutine id (1 is the main module's code outside any goroutine). */
  id: number;
  /** `runnable`, `running` or `waiting`. */
  state: 'runnable' | 'running' | 'waiting' | 'dead';
  /** Why it waits (`chan receive`, `select`, `sync.Mutex.Lock`, `IO wait`...); empty unless waiting. */
  waitReason: string;
  /** Milliseconds spent waiting so far (0 unless waiting; ~50 ms resolution). */
  waitingMs: number;
  /** Name of the function the goroutine runs. */
  fn: string;
  /** `created by <frame>` in debug mode, otherwise `undefined`. */
  createdBy: string | undefined;
}

/**
 * The state to show. With exact attribution the runtime does not track who runs (no work per
 * wake-up): the goroutine calling the dump is running, a parked one waiting, the rest runnable
 * (readied, or awaiting something that is not a strand operation).
 */
function shownState(g: G, running: G): GState {
  if (attribution() === 'resume-hook' || g.state === GState.Waiting || g.state === GState.Dead) return g.state;
  return g === running ? GState.Running : GState.Runnable;
}

function info(g: G, now: number, running: G): GoroutineInfo {
  const state = shownState(g, running);
  const waiting = state === GState.Waiting;
  return {
    id: g.id,
    state: stateName(state) as GoroutineInfo['state'],
    waitReason: waiting ? g.waitReason : '',
    waitingMs: waiting ? Math.max(0, Math.round(now - g.waitSince)) : 0,
    fn: fnName(g),
    createdBy: g.createdAt !== null ? createdBy(g) : undefined,
  };
}

/**
 * Every live goroutine, oldest first. Goroutine 1 is the main goroutine while {@link main} runs;
 * without one it stands for code outside goroutines and is included while that code waits on a
 * strand operation.
 */
export function goroutines(): GoroutineInfo[] {
  const now = waitClock();
  const running = currentG();
  const out: GoroutineInfo[] = [];
  forEachLive((g) => out.push(info(g, now, running)));
  out.reverse();
  if (isMainRunning() || mainG.state === GState.Waiting) out.unshift(info(mainG, now, running));
  return out;
}

/** Options of {@link leakedGoroutines}. */
export interface LeakOptions {
  /**
   * Force full garbage collections first (and give finalizers a few event-loop turns), so that
   * every channel already dropped is found. Needs `node --expose-gc`; without it this option does
   * nothing and the report shows what earlier collections found.
   */
  gc?: boolean;
}

/**
 * The goroutines that can never be woken (Go 1.26's goroutineleak profile), oldest first:
 * parked in a plain send or receive on a channel, or on a sync primitive (Mutex, RWMutex,
 * WaitGroup, Cond, Once, a Semaphore acquire without a context), that has since been
 * garbage-collected — nothing can reach it any more,
 * so nothing can ever complete the wait — and those blocked on a nil channel.
 *
 * It never reports a goroutine that can still be woken (a channel or primitive still referenced
 * anywhere keeps it off the list), but it only knows what the garbage collector has found so far:
 * a channel dropped a moment ago is listed only after a collection has run and its finalizer
 * has been called. Pass `{ gc: true }` under `node --expose-gc` to force one. Waits that
 * something else can end are never listed: select, sleep and timers, I/O.
 *
 * @example
 * ```ts
 * for (const g of await leakedGoroutines({ gc: true })) console.log(g.id, g.waitReason, g.fn);
 * ```
 */
export async function leakedGoroutines(options: LeakOptions = {}): Promise<GoroutineInfo[]> {
  if (options.gc === true) await collect();
  const now = waitClock();
  const running = currentG();
  const out: GoroutineInfo[] = [];
  forEachLeaked((g) => out.push(info(g, now, running)));
  return out.sort((a, b) => a.id - b.id);
}

/**
 * The first line of a text dump when goroutine identity is approximate (resume-hook attribution,
 * see `attribution()`), empty otherwise.
 */
export function attributionNote(): string {
  if (attribution() !== 'resume-hook') return '';
  return (
    `(strand: goroutine attribution is approximate on Node ${process.version} without AsyncContextFrame: ` +
    'a goroutine that awaited a non-strand promise may be shown as another until its next strand wake-up)\n\n'
  );
}

function duration(ms: number): string {
  if (ms >= 120_000) return `${Math.floor(ms / 60_000)} minutes`;
  if (ms >= 60_000) return '1 minute';
  if (ms >= 1000) return `${(ms / 1000).toFixed(1)} s`;
  return `${ms} ms`;
}

/**
 * The dump as text, in Go's traceback layout:
 *
 * ```
 * goroutine 7 [chan receive, 1.5 s]:
 * worker(...)
 * 	created by main (file:///app/main.js:10:3)
 * ```
 */
export function formatDump(list?: GoroutineInfo[]): string {
  // The live dump says when identity is approximate; a list given by the caller is formatted as is.
  let out = list === undefined ? attributionNote() : '';
  list ??= goroutines();
  for (const g of list) {
    const state = g.state === 'waiting' ? `${g.waitReason}, ${duration(g.waitingMs)}` : g.state;
    out += `goroutine ${g.id} [${state}]:\n${g.fn}(...)\n`;
    if (g.createdBy !== undefined && g.createdBy !== '') out += `\t${g.createdBy}\n`;
    out += '\n';
  }
  return out;
}

/** Writes the dump to stderr. */
export function printDump(): void {
  process.stderr.write(formatDump());
}

let sigquitInstalled: ((signal: NodeJS.Signals) => void) | null = null;

/**
 * Installs a SIGQUIT handler that prints the goroutine dump to stderr (`kill -QUIT <pid>`, or
 * Ctrl-\ in a terminal). With `exit: true` (the default, as Go does) the process then exits with
 * status 2; with `exit: false` it keeps running. Returns a function that removes the handler.
 */
export function handleSigquit(options: { exit?: boolean } = {}): () => void {
  const exit = options.exit ?? true;
  if (sigquitInstalled !== null) process.removeListener('SIGQUIT', sigquitInstalled);
  const handler = (): void => {
    const text = `SIGQUIT: quit\n\n${formatDump()}`;
    if (exit) {
      process.stderr.write(text + 'exit status 2\n', () => process.exit(2));
    } else {
      process.stderr.write(text);
    }
  };
  sigquitInstalled = handler;
  process.on('SIGQUIT', handler);
  return () => {
    process.removeListener('SIGQUIT', handler);
    if (sigquitInstalled === handler) sigquitInstalled = null;
  };
}

setDumpFormatter(() => formatDump());
