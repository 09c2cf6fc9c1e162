/**
 * A typed wrapper around autocannon (which ships no types) for HTTP scenarios: runs one load,
 * shows autocannon's own progress bar on a terminal (quiet in CI), and returns the figures our
 * tables use.
 *
 * @module
 */
import { createRequire } from 'node:module';
import { isInteractive } from './env.js';

/** The subset of autocannon's options we use (see autocannon's README for the rest). */
export interface AutocannonOptions {
  /** Target URL, e.g. `http://127.0.0.1:${port}/`. Must be on 127.0.0.1. */
  url: string;
  /** Concurrent connections (autocannon `-c`). */
  connections: number;
  /** Duration in seconds (`-d`). */
  duration: number;
  /** Pipelined requests per connection (`-p`, default 1). */
  pipelining?: number;
  /** HTTP method (default GET). */
  method?: string;
  /** Request body. */
  body?: string | Buffer;
  /** Request headers. */
  headers?: Record<string, string>;
  /** Per-request timeout, seconds (default 10). */
  timeout?: number;
  /** A title shown in progress output. */
  title?: string;
  /** Any other autocannon option, passed through untouched. */
  [extra: string]: unknown;
}

/** What {@link runAutocannon} reports (autocannon's averages and latency percentiles). */
export interface AutocannonMetrics {
  /** Average requests per second. */
  rps: number;
  /** Latency percentiles and max, in ms. */
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  max_ms: number;
  /** Average throughput, MB/s (10^6 bytes). */
  mb_s: number;
  /** Total requests completed. */
  requests: number;
  /** Socket errors, timeouts and non-2xx responses (should all be 0). */
  errors: number;
  timeouts: number;
  non2xx: number;
}

interface _Hist {
  average: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  total: number;
}
interface _Result {
  requests: _Hist;
  latency: _Hist;
  throughput: _Hist;
  errors: number;
  timeouts: number;
  non2xx: number;
}
interface _Instance {
  on(ev: 'done', fn: (r: _Result) => void): void;
  stop(): void;
}
interface _Autocannon {
  (opts: Record<string, unknown>, cb: (err: Error | null, r: _Result) => void): _Instance;
  track(inst: _Instance, opts: Record<string, unknown>): void;
}

const _require = createRequire(import.meta.url);
let _ac: _Autocannon | undefined;

/**
 * Runs autocannon once against `opts.url`.
 *
 * @param opts connections, duration, pipelining, ... (see {@link AutocannonOptions}).
 * @param show `{ progress: true }` renders autocannon's progress bar on stderr (pass
 *   `ScenarioOptions.interactive`); never drawn in CI or when stdout is not a terminal.
 * @returns the measured figures.
 * @throws Error when autocannon fails to start (bad URL...).
 * @example const m = await runAutocannon({ url: `http://127.0.0.1:${srv.port}/`, connections: 100, duration: 10 }, { progress: opts.interactive });
 */
export function runAutocannon(opts: AutocannonOptions, show: { progress?: boolean } = {}): Promise<AutocannonMetrics> {
  _ac ??= _require('autocannon') as _Autocannon;
  const ac = _ac;
  return new Promise((resolve, reject) => {
    const inst = ac({ ...opts }, (err, r) => {
      if (err) return reject(new Error(`load-tests: autocannon ${opts.url}: ${err.message}`));
      resolve({
        rps: r.requests.average,
        p50_ms: r.latency.p50,
        p90_ms: r.latency.p90,
        p99_ms: r.latency.p99,
        max_ms: r.latency.max,
        mb_s: r.throughput.average / 1e6,
        requests: r.requests.total,
        errors: r.errors,
        timeouts: r.timeouts,
        non2xx: r.non2xx,
      });
    });
    if (show.progress && isInteractive()) ac.track(inst, { renderProgressBar: true, renderResultsTable: false, renderLatencyTable: false });
  });
}
