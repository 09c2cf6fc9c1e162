/**
 * A goroutine leak check (uber-go/goleak) for node:test, tap and vitest: {@link leakCheck} at
 * the start of a test returns the check to run at its end; {@link verifyNone} checks every live
 * goroutine now.
 *
 * Which goroutines a check owns: goroutine ids only grow, so the goroutines a test started are
 * those with an id above a mark taken when {@link leakCheck} was called (other tests running
 * concurrently in the same process would be counted too: run checked tests one at a time, or
 * ignore the others). While any check is active the runtime is in debug mode, so the goroutines
 * started meanwhile record their creation site, which the failure prints; the previous mode is
 * restored when the last active check ends.
 *
 * Like goleak, a check does not fail at the first look: goroutines that are about to exit (a
 * deferred close still propagating) get a bounded time to finish, looked at again after growing
 * pauses (1 ms, doubling up to 100 ms) on real time.
 *
 * @module
 */

import { formatDump, go, goroutines, isDebug, setDebug, type GoroutineInfo } from '../runtime/index.js';
import { LeakError } from './errors.js';

/** Options of {@link leakCheck} and {@link verifyNone}. */
export interface LeakOptions {
  /**
   * Goroutines that may stay: a predicate over the dump's {@link GoroutineInfo}, or a list of
   * function names (the dump's `fn`) — goleak's `IgnoreTopFunction`.
   */
  ignore?: ((g: GoroutineInfo) => boolean) | readonly string[];
  /** How long to wait for goroutines that are about to exit, in ms (default 1000). */
  maxWaitMs?: number;
}

/** Number of active checks (debug mode is on while it is above 0) and the mode to restore. */
let active = 0;
let debugBefore = false;

function noop(): void {}

function ignored(opts: LeakOptions): (g: GoroutineInfo) => boolean {
  const ig = opts.ignore;
  if (ig === undefined) return () => false;
  if (typeof ig === 'function') return ig;
  const names = new Set(ig);
  return (g) => names.has(g.fn);
}

/** Looks until no goroutine above `mark` (and not ignored) is alive, or the time is up. */
async function find(mark: number, opts: LeakOptions): Promise<GoroutineInfo[]> {
  const skip = ignored(opts);
  const deadline = Date.now() + (opts.maxWaitMs ?? 1000);
  let pause = 1;
  for (;;) {
    const left = goroutines().filter((g) => g.id > mark && g.state !== 'dead' && !skip(g));
    if (left.length === 0 || Date.now() >= deadline) return left;
    await new Promise<void>((r) => setTimeout(r, pause));
    pause = Math.min(pause * 2, 100);
  }
}

/**
 * Starts a leak check: call it when a test starts, and run the function it returns when the test
 * ends. That function resolves if every goroutine started in between has ended (after a bounded
 * wait for those about to exit), and rejects otherwise with a {@link LeakError} listing them with
 * their wait reasons and creation sites. Works with any runner: `t.after(leakCheck())` in
 * node:test, `t.teardown(leakCheck())` in tap, or `const check = leakCheck(); ...; await
 * check()` in the test body (vitest: in `beforeEach`/`afterEach`).
 *
 * @param opts - goroutines to ignore, how long to wait.
 * @returns the check to run at the end of the test; it may be run once.
 * @example
 * ```ts
 * const check = leakCheck();
 * go(async () => { await sleep(10); });
 * await check(); // waits for the goroutine above to end; a goroutine still parked fails it
 * ```
 */
export function leakCheck(opts: LeakOptions = {}): () => Promise<void> {
  // Ids only grow: a goroutine that ends at once marks where this check's goroutines begin.
  const mark = go(noop);
  if (active++ === 0) {
    debugBefore = isDebug();
    setDebug(true);
  }
  let ran = false;
  return async () => {
    if (ran) return;
    ran = true;
    try {
      const left = await find(mark, opts);
      if (left.length > 0) throw new LeakError(left.length, formatDump(left));
    } finally {
      if (--active === 0) setDebug(debugBefore);
    }
  };
}

/**
 * Checks that no goroutine is alive now but the ignored ones (goleak's `VerifyNone`), after a
 * bounded wait for goroutines about to exit. Code outside goroutines (goroutine 1) is never
 * counted. Creation sites are listed only for goroutines created in debug mode (`setDebug(true)`,
 * `STRAND_DEBUG=1`, or while a {@link leakCheck} is active).
 *
 * @param opts - goroutines to ignore, how long to wait.
 * @returns a promise that resolves when none is left.
 * @throws LeakError (rejects; code `STRAND_ERR_GOROUTINE_LEAK`) listing the goroutines left.
 * @example
 * ```ts
 * await verifyNone({ ignore: ['acceptLoop'] });
 * ```
 */
export async function verifyNone(opts: LeakOptions = {}): Promise<void> {
  const left = await find(1, opts);
  if (left.length > 0) throw new LeakError(left.length, formatDump(left));
}
