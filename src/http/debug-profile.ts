/**
 * The goroutine profile's forms (Go's `/debug/pprof/goroutine`), built from the runtime's
 * `goroutines()` data: grouped text (`debug=1`), Go's traceback text (`debug=2`) and JSON.
 * Pure functions of a goroutine list: the debug handler (debug.ts) and the Fastify plugin both
 * use them.
 *
 * @module
 */

import { attributionNote, formatDump, type GoroutineInfo } from '../runtime/index.js';

/**
 * One group of the `debug=1` profile: goroutines with the same state, wait reason, function and
 * creation site.
 */
export interface GoroutineGroup {
  /** How many goroutines are in this group. */
  count: number;
  /** `runnable`, `running` or `waiting`. */
  state: GoroutineInfo['state'];
  /** The wait reason (empty unless waiting). */
  waitReason: string;
  /** The function the goroutines run. */
  fn: string;
  /** `created by ...` (debug mode only), otherwise `undefined`. */
  createdBy: string | undefined;
}

/** Groups goroutines by state, wait reason, function and creation site; largest group first. */
export function groupGoroutines(list: readonly GoroutineInfo[]): GoroutineGroup[] {
  const groups = new Map<string, GoroutineGroup>();
  for (const g of list) {
    const key = `${g.state}\u0000${g.waitReason}\u0000${g.fn}\u0000${g.createdBy ?? ''}`;
    const e = groups.get(key);
    if (e !== undefined) e.count++;
    else groups.set(key, { count: 1, state: g.state, waitReason: g.waitReason, fn: g.fn, createdBy: g.createdBy });
  }
  // Most first; ties in a stable, readable order.
  return [...groups.values()].sort((a, b) => b.count - a.count || a.fn.localeCompare(b.fn) || a.waitReason.localeCompare(b.waitReason));
}

/**
 * pprof's text form (`debug=1`): a total, then one block per group, largest first. JavaScript has
 * no program counters, so where Go prints `@ 0x…` addresses and symbolized frames, a block names
 * the state/wait reason and the function, then the creation site (debug mode only):
 *
 * ```
 * goroutine profile: total 10002
 * 10000 @ [chan receive] worker
 * #	created by main (file:///app/main.js:10:3)
 *
 * ```
 */
export function formatGroups(title: string, list: readonly GoroutineInfo[]): string {
  let out = attributionNote() + `${title}: total ${list.length}\n`;
  for (const g of groupGoroutines(list)) {
    const state = g.state === 'waiting' ? g.waitReason : g.state;
    out += `${g.count} @ [${state}] ${g.fn}\n`;
    out += g.createdBy !== undefined && g.createdBy !== '' ? `#\t${g.createdBy}\n\n` : '#\t(creation site recorded in debug mode: setDebug(true) or STRAND_DEBUG=1)\n\n';
  }
  return out;
}

/** Go's traceback form (`debug=2`): every goroutine, as the SIGQUIT dump prints it. */
export function formatTraceback(list: readonly GoroutineInfo[]): string {
  return attributionNote() + formatDump([...list]);
}

/**
 * The JSON form (`format=json`). Schema (version 1):
 *
 * ```
 * {
 *   "version": 1,
 *   "profile": "goroutine" | "goroutineleak",
 *   "total": number,                     // goroutines in the profile
 *   "attribution": "async-context-frame" | "resume-hook",
 *   "groups": [{ "count", "state", "waitReason", "fn", "createdBy"? }],   // as debug=1, most first
 *   "goroutines": [{ "id", "state", "waitReason", "waitingMs", "fn", "createdBy"? }]  // as debug=2
 * }
 * ```
 * `state` is `runnable`, `running` or `waiting`; `waitReason` is empty unless waiting;
 * `waitingMs` has ~50 ms resolution; `createdBy` is present only in debug mode.
 */
export function profileJSON(profile: 'goroutine' | 'goroutineleak', list: readonly GoroutineInfo[], attribution: string): string {
  return JSON.stringify({ version: 1, profile, total: list.length, attribution, groups: groupGoroutines(list), goroutines: list });
}
