/**
 * The contract between the load-test harness (load-tests/run.ts) and its scenarios
 * (load-tests/<name>/scenario.ts, each exporting `run: Scenario`).
 */

/** Options the harness passes to every scenario. */
export interface ScenarioOptions {
  /** A short smoke version (whole suite under a minute): correctness only, no speed claims. */
  quick: boolean;
  /** Progress output (quiet in CI). */
  log: (msg: string) => void;
  /** Where results go (load-tests/results by default). */
  resultsDir: string;
  /**
   * True when stdout is a terminal and CI is not set: scenarios may draw progress (autocannon's
   * bar via `runAutocannon(..., { progress: opts.interactive })`). Always set by the harness.
   */
  interactive?: boolean;
}

/** One measured row: one implementation under one case. */
export interface Row {
  /** The case, e.g. "64 B round trips, 50 conns" or "unbuffered ping-pong". */
  case: string;
  /** The implementation: "strand", "node", "fastify", "go", "js-csp", ... */
  impl: string;
  /** Named metrics, e.g. { rps: 51234, p50_ms: 0.9, p99_ms: 3.1, rss_mb: 80, cpu_pct: 97 }. */
  metrics: Record<string, number>;
}

/** What a scenario returns; the harness writes JSON, the markdown table and the chart from it. */
export interface ScenarioResult {
  /** Scenario name: "runtime", "echo", "http", "chat". */
  name: string;
  /** The fixed parameters used (connections, duration, sizes...). */
  params: Record<string, unknown>;
  rows: Row[];
  /** The headline metric for the chart (e.g. "rps"), higher is better unless `lowerIsBetter`. */
  chartMetric: string;
  lowerIsBetter?: boolean;
  /** The baseline implementation ratios are computed against (e.g. "node"). */
  baseline: string;
  /** Markdown table (side by side, medians, ratios). */
  table: string;
  /** Anything a reader must know: skipped peers (and why), target misses, machine caveats. */
  notes: string[];
}

/** A scenario entry point. */
export type Scenario = (opts: ScenarioOptions) => Promise<ScenarioResult>;
