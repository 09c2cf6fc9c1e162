/**
 * The runtime's metrics as one snapshot ({@link metrics}): goroutines by state and wait reason,
 * the runtime's counters, timers, parked I/O waits, the event loop (perf_hooks) and the heap.
 *
 * Cost: the counters are plain integer increments on module state in goroutine.ts and time.ts
 * (no allocation on any hot path); everything else is computed here, when a snapshot is asked
 * for (one pass over the live goroutines). The event-loop delay histogram
 * (`monitorEventLoopDelay`, a libuv timer sampling every 20 ms) starts on the first call and
 * runs from then on.
 *
 * @module
 */

import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';
import { runtimeCounters } from './goroutine.js';
import { goroutines } from './dump.js';
import { timerCount } from './time.js';
import { forEachLeaked } from './leak.js';

/** A snapshot of the runtime, as {@link metrics} returns it. Units are in the names. */
export interface RuntimeMetrics {
  /** Live goroutines (as `numGoroutine()` counts them, plus main's code while it waits). */
  goroutines: number;
  /** Live goroutines by state (`runnable`, `running`, `waiting`). */
  goroutinesByState: { runnable: number; running: number; waiting: number };
  /** Waiting goroutines by wait reason (`chan receive`, `select`, `IO wait`, `sleep`...). */
  goroutinesByWaitReason: Record<string, number>;
  /** Goroutines started by `go` since the process began. */
  goroutinesStartedTotal: number;
  /** Goroutines that have returned since the process began. */
  goroutinesExitedTotal: number;
  /** Parked goroutines made runnable (every effective ready). */
  wakeupsTotal: number;
  /** Times the fairness budget ended a slice and handed the event loop a turn. */
  budgetYieldsTotal: number;
  /** Timers armed (sleeps, Timer/Ticker starts and resets, afterFunc). */
  timersStartedTotal: number;
  /** Goroutines sleeping now (wait reason `sleep`). */
  timersSleeping: number;
  /** Goroutines parked on I/O now, by wait reason (`IO wait` for sockets and HTTP bodies). */
  ioWaits: Record<string, number>;
  /** Goroutines known to be leaked (see `leakedGoroutines`; needs a GC to have run). */
  goroutinesLeaked: number;
  /** The event loop (perf_hooks). */
  eventLoop: {
    /** Busy time over total time since the process began (0..1). */
    utilization: number;
    /** Time the loop spent running callbacks since the process began. */
    activeSecondsTotal: number;
    /** Time the loop spent idle (waiting for events) since the process began. */
    idleSecondsTotal: number;
    /** Event-loop delay since the first snapshot: min, mean, max and percentiles. */
    delaySeconds: { min: number; mean: number; max: number; p50: number; p90: number; p99: number };
  };
  /** `process.memoryUsage()`. */
  memory: { heapUsedBytes: number; heapTotalBytes: number; externalBytes: number; rssBytes: number };
}

let delay: IntervalHistogram | null = null;

function seconds(ns: number): number {
  return Number.isFinite(ns) ? ns / 1e9 : 0;
}

/**
 * A snapshot of the runtime's metrics (see {@link RuntimeMetrics} for each field and its unit).
 * Cheap enough to call on every scrape: one pass over the live goroutines; nothing is counted
 * between calls except plain integer counters.
 *
 * @example
 * ```ts
 * const m = metrics();
 * console.log(m.goroutines, m.goroutinesByWaitReason['chan receive'] ?? 0);
 * ```
 */
export function metrics(): RuntimeMetrics {
  if (delay === null) {
    delay = monitorEventLoopDelay({ resolution: 20 });
    delay.enable();
  }
  const c = runtimeCounters();
  const byState = { runnable: 0, running: 0, waiting: 0 };
  const byReason: Record<string, number> = {};
  const io: Record<string, number> = {};
  const list = goroutines();
  for (const g of list) {
    if (g.state === 'dead') continue;
    byState[g.state]++;
    if (g.state !== 'waiting') continue;
    const r = g.waitReason;
    byReason[r] = (byReason[r] ?? 0) + 1;
    if (r.startsWith('IO wait')) io[r] = (io[r] ?? 0) + 1;
  }
  let leaked = 0;
  forEachLeaked(() => leaked++);
  const elu = performance.eventLoopUtilization();
  const mem = process.memoryUsage();
  const d = delay;
  const has = d.count > 0;
  return {
    goroutines: list.length,
    goroutinesByState: byState,
    goroutinesByWaitReason: byReason,
    goroutinesStartedTotal: c.started,
    goroutinesExitedTotal: c.exited,
    wakeupsTotal: c.wakeups,
    budgetYieldsTotal: c.budgetYields,
    timersStartedTotal: timerCount(),
    timersSleeping: byReason['sleep'] ?? 0,
    ioWaits: io,
    goroutinesLeaked: leaked,
    eventLoop: {
      utilization: elu.utilization,
      activeSecondsTotal: elu.active / 1000,
      idleSecondsTotal: elu.idle / 1000,
      delaySeconds: {
        min: has ? seconds(d.min) : 0,
        mean: has ? seconds(d.mean) : 0,
        max: has ? seconds(d.max) : 0,
        p50: has ? seconds(d.percentile(50)) : 0,
        p90: has ? seconds(d.percentile(90)) : 0,
        p99: has ? seconds(d.percentile(99)) : 0,
      },
    },
    memory: { heapUsedBytes: mem.heapUsed, heapTotalBytes: mem.heapTotal, externalBytes: mem.external, rssBytes: mem.rss },
  };
}
