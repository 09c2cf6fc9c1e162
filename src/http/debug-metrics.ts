/**
 * The runtime's metrics in Prometheus' text format, through prom-client. Every metric is
 * collected lazily: the registry's collectors read one `metrics()` snapshot taken when a scrape
 * begins (prom-client calls every collector synchronously before its first await, so one
 * snapshot serves the whole scrape). Nothing runs between scrapes.
 *
 * Names (all `strand_`-prefixed; units in the names, Prometheus style):
 *
 * | name | type | labels | meaning |
 * | --- | --- | --- | --- |
 * | `strand_goroutines` | gauge | `state` | live goroutines by state (runnable, running, waiting) |
 * | `strand_goroutines_waiting` | gauge | `reason` | waiting goroutines by wait reason |
 * | `strand_goroutines_started_total` | counter | | goroutines started by `go` |
 * | `strand_goroutines_exited_total` | counter | | goroutines that returned |
 * | `strand_goroutines_leaked` | gauge | | goroutines known to be leaked (after a GC) |
 * | `strand_wakeups_total` | counter | | parked goroutines made runnable |
 * | `strand_budget_yields_total` | counter | | slices ended by the fairness budget |
 * | `strand_timers_started_total` | counter | | timers armed (sleep, Timer, Ticker, afterFunc) |
 * | `strand_io_waits` | gauge | `reason` | goroutines parked on I/O |
 * | `strand_event_loop_utilization_ratio` | gauge | | busy/total time since start (0..1) |
 * | `strand_event_loop_active_seconds_total` | counter | | time running callbacks |
 * | `strand_event_loop_idle_seconds_total` | counter | | time waiting for events |
 * | `strand_event_loop_delay_seconds` | gauge | `stat` (min, mean, max, p50, p90, p99) | event-loop delay |
 * | `strand_heap_used_bytes`, `strand_heap_total_bytes`, `strand_external_memory_bytes`, `strand_resident_memory_bytes` | gauge | | `process.memoryUsage()` |
 *
 * @module
 */

import { Counter, Gauge, Registry } from 'prom-client';
import { metrics, type RuntimeMetrics } from '../runtime/index.js';

/** The snapshot the collectors of the scrape in progress read. */
let snap: RuntimeMetrics | null = null;

function current(): RuntimeMetrics {
  return (snap ??= metrics());
}

function counter(registry: Registry, name: string, help: string, read: (m: RuntimeMetrics) => number): void {
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      const v = read(current());
      if (v > 0) this.inc(v);
    },
  });
}

function gauge(registry: Registry, name: string, help: string, read: (m: RuntimeMetrics) => number): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read(current()));
    },
  });
}

function labelled(registry: Registry, name: string, help: string, label: string, read: (m: RuntimeMetrics) => Record<string, number>): void {
  new Gauge({
    name,
    help,
    labelNames: [label],
    registers: [registry],
    collect() {
      this.reset(); // reasons come and go: report only those present now
      for (const [k, v] of Object.entries(read(current()))) this.set({ [label]: k }, v);
    },
  });
}

/**
 * Registers strand's runtime metrics (the `strand_*` names in this module's table) on a
 * prom-client `registry`, collected lazily on each scrape. Use it to add them to the registry
 * your service already exposes; the debug handler's `/metrics` uses a registry of its own.
 *
 * @example
 * ```ts
 * import { Registry } from 'prom-client';
 * const registry = new Registry();
 * registerRuntimeMetrics(registry);
 * const text = await scrapeMetrics(registry);
 * ```
 */
export function registerRuntimeMetrics(registry: Registry): void {
  labelled(registry, 'strand_goroutines', 'Live goroutines by state.', 'state', (m) => m.goroutinesByState);
  labelled(registry, 'strand_goroutines_waiting', 'Waiting goroutines by wait reason.', 'reason', (m) => m.goroutinesByWaitReason);
  counter(registry, 'strand_goroutines_started_total', 'Goroutines started by go().', (m) => m.goroutinesStartedTotal);
  counter(registry, 'strand_goroutines_exited_total', 'Goroutines that returned.', (m) => m.goroutinesExitedTotal);
  gauge(registry, 'strand_goroutines_leaked', 'Goroutines parked on a channel or sync primitive that was garbage-collected (known after a GC).', (m) => m.goroutinesLeaked);
  counter(registry, 'strand_wakeups_total', 'Parked goroutines made runnable.', (m) => m.wakeupsTotal);
  counter(registry, 'strand_budget_yields_total', 'Slices of goroutine work ended by the fairness budget (event loop given a turn).', (m) => m.budgetYieldsTotal);
  counter(registry, 'strand_timers_started_total', 'Timers armed (sleep, Timer, Ticker, afterFunc).', (m) => m.timersStartedTotal);
  labelled(registry, 'strand_io_waits', 'Goroutines parked on I/O, by wait reason.', 'reason', (m) => m.ioWaits);
  gauge(registry, 'strand_event_loop_utilization_ratio', 'Event loop busy time over total time since the process started (0..1).', (m) => m.eventLoop.utilization);
  counter(registry, 'strand_event_loop_active_seconds_total', 'Time the event loop spent running callbacks.', (m) => m.eventLoop.activeSecondsTotal);
  counter(registry, 'strand_event_loop_idle_seconds_total', 'Time the event loop spent waiting for events.', (m) => m.eventLoop.idleSecondsTotal);
  labelled(registry, 'strand_event_loop_delay_seconds', 'Event loop delay since the first scrape (min, mean, max, p50, p90, p99).', 'stat', (m) => ({ ...m.eventLoop.delaySeconds }));
  gauge(registry, 'strand_heap_used_bytes', 'V8 heap used.', (m) => m.memory.heapUsedBytes);
  gauge(registry, 'strand_heap_total_bytes', 'V8 heap allocated.', (m) => m.memory.heapTotalBytes);
  gauge(registry, 'strand_external_memory_bytes', 'Memory of C++ objects bound to JavaScript objects (buffers).', (m) => m.memory.externalBytes);
  gauge(registry, 'strand_resident_memory_bytes', 'Resident set size of the process.', (m) => m.memory.rssBytes);
}

/**
 * Scrapes `registry` in Prometheus' text format (version 0.0.4), with one runtime snapshot for
 * the whole scrape.
 */
export async function scrapeMetrics(registry: Registry): Promise<string> {
  snap = null;
  try {
    return await registry.metrics();
  } finally {
    snap = null;
  }
}

let own: Registry | null = null;

/** @internal The debug handler's registry: strand's metrics only, made on first use. */
export function debugRegistry(): Registry {
  if (own === null) {
    own = new Registry();
    registerRuntimeMetrics(own);
  }
  return own;
}
