/**
 * Measuring helpers for the runtime benchmark's child processes (worker.ts): a calibrated timing
 * loop for the speed cases and a heap measurement for the parked-goroutine cases.
 *
 * @module
 */

/** Metrics one measurement reports (all numbers, as the harness requires). */
export type Metrics = Record<string, number>;

/** A speed case: runs `n` operations (its own setup included) and resolves with extra metrics. */
export type SpeedCase = (n: number) => Promise<Metrics | void>;

/** A parked case: parks `n` goroutines, measures, releases them, resolves with its metrics. */
export type ParkedCase = (n: number) => Promise<Metrics>;

/** What an implementation module offers; a missing case is reported as not supported. */
export interface Impl {
  pingpong?: SpeedCase;
  buffered?: SpeedCase;
  select?: SpeedCase;
  parked?: ParkedCase;
  /** Notes about how the peer was driven (documented API used, missing features). */
  notes?: string[];
}

/**
 * Warms up and calibrates, then measures: runs the case with a doubling `n` until at least
 * `warmMs` have been spent and one run lasts ≥ 20 ms (JIT and inline caches settled: small runs
 * are several times slower), then runs it three times for about `targetMs / 3` each and reports
 * the median run's nanoseconds per operation (wall clock, and CPU time of the process).
 *
 * @param f the case.
 * @param targetMs wanted total duration of the measured runs.
 * @param warmMs minimum warm-up time.
 * @returns `ns_per_op`, `ops` (per measured run) and the case's own metrics (from the median run).
 */
export async function measureSpeed(f: SpeedCase, targetMs: number, warmMs = 400): Promise<Metrics> {
  let n = 1000;
  let spent = 0;
  let per: number;
  for (;;) {
    const t0 = process.hrtime.bigint();
    await f(n);
    const ns = Number(process.hrtime.bigint() - t0);
    spent += ns / 1e6;
    per = ns / n;
    if (ns >= 20e6 && spent >= warmMs) break;
    if (ns < 20e6 && n < 1 << 26) n *= 2;
  }
  const big = Math.max(1000, Math.round((targetMs * 1e6) / 3 / per));
  const runs: { ns: number; cpuNs: number; extra: Metrics | void }[] = [];
  for (let r = 0; r < 3; r++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const extra = await f(big);
    const ns = Number(process.hrtime.bigint() - t0);
    const c = process.cpuUsage(c0);
    runs.push({ ns, cpuNs: (c.user + c.system) * 1000, extra });
  }
  runs.sort((a, b) => a.ns - b.ns);
  const mid = runs[1]!;
  // CPU time (all threads of the process, GC helpers included) is less disturbed than wall time
  // when other processes compete for the cores.
  return { ns_per_op: mid.ns / big, cpu_ns_per_op: mid.cpuNs / big, ops: big, ...(mid.extra ?? {}) };
}

/** Collects garbage thoroughly (needs `node --expose-gc`) and returns the heap in use. */
export function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('runtime bench: run the worker with node --expose-gc');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Receivers per channel in the parked cases (js-csp and @thi.ng/csp cap pending takes at 1024). */
export const PARKED_PER_CHAN = 1000;

/**
 * The common shape of a parked case: measure the heap, spawn `n` parked goroutines through
 * `spawn`, measure again, then `release` them all and wait until every one has finished.
 *
 * @param n number of goroutines.
 * @param spawn starts them; returns a handle for `release`.
 * @param release wakes them all; resolves once all have finished.
 */
export async function measureParked<H>(n: number, spawn: (n: number) => H, release: (h: H) => Promise<void>): Promise<Metrics> {
  const before = heapAfterGc();
  const t0 = performance.now();
  const h = spawn(n);
  // Let anything the implementation defers (schedulers on setImmediate) run, so all are parked.
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
  const spawnMs = performance.now() - t0;
  const after = heapAfterGc();
  const t1 = performance.now();
  await release(h);
  const releaseMs = performance.now() - t1;
  return {
    bytes_per_g: (after - before) / n,
    heap_mb: (after - before) / 2 ** 20,
    spawn_ms: spawnMs,
    release_ms: releaseMs,
    goroutines: n,
    rss_mb: process.memoryUsage().rss / 2 ** 20,
  };
}
