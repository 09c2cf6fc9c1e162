/**
 * Small statistics helpers for load tests: median, percentiles, mean.
 *
 * Percentiles use linear interpolation between closest ranks (the "R-7" definition, as numpy's
 * default), so `percentile(xs, 50)` equals `median(xs)`.
 *
 * @module
 */

/** Sorted copy of `xs` as a Float64Array (numeric sort; the input is not modified). */
function _sorted(xs: ArrayLike<number>): Float64Array {
  const a = Float64Array.from(xs as ArrayLike<number>);
  a.sort();
  return a;
}

/** Percentile of an already sorted array; `p` in [0, 100]. */
function _fromSorted(a: Float64Array, p: number): number {
  if (a.length === 0) return NaN;
  const rank = (p / 100) * (a.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return a[lo]! + (a[hi]! - a[lo]!) * (rank - lo);
}

/**
 * The `p`-th percentile of `xs` (linear interpolation between closest ranks).
 *
 * @param xs the samples (any order; not modified).
 * @param p the percentile, from 0 to 100.
 * @returns the percentile, or NaN when `xs` is empty.
 * @throws RangeError when `p` is outside [0, 100].
 * @example percentile([1, 2, 3, 4], 50) // 2.5
 */
export function percentile(xs: ArrayLike<number>, p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`load-tests: percentile ${p} outside [0, 100]`);
  return _fromSorted(_sorted(xs), p);
}

/**
 * Several percentiles at once, sorting only once (use this for big latency arrays).
 *
 * @param xs the samples (any order; not modified).
 * @param ps the percentiles wanted, each from 0 to 100.
 * @returns the percentiles in the order of `ps` (NaN each when `xs` is empty).
 * @example const [p50, p99] = percentiles(latencies, [50, 99]);
 */
export function percentiles(xs: ArrayLike<number>, ps: readonly number[]): number[] {
  const a = _sorted(xs);
  return ps.map((p) => {
    if (!(p >= 0 && p <= 100)) throw new RangeError(`load-tests: percentile ${p} outside [0, 100]`);
    return _fromSorted(a, p);
  });
}

/**
 * The median of `xs` (mean of the two middle values for an even count).
 *
 * @param xs the samples (any order; not modified).
 * @returns the median, or NaN when `xs` is empty.
 * @example median([3, 1, 2]) // 2
 */
export function median(xs: ArrayLike<number>): number {
  return _fromSorted(_sorted(xs), 50);
}

/**
 * The arithmetic mean of `xs`.
 *
 * @param xs the samples.
 * @returns the mean, or NaN when `xs` is empty.
 * @example mean([1, 2, 3]) // 2
 */
export function mean(xs: ArrayLike<number>): number {
  if (xs.length === 0) return NaN;
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s / xs.length;
}

/**
 * Medians of repeated measurements, metric by metric: the usual way a scenario turns several
 * repetitions of one case into the single row it reports.
 *
 * @param reps one metrics record per repetition (a metric missing from some repetitions is the
 *   median of those that have it).
 * @returns one record with the median of each metric.
 * @example medianMetrics([{ rps: 10 }, { rps: 30 }, { rps: 20 }]) // { rps: 20 }
 */
export function medianMetrics(reps: readonly Record<string, number>[]): Record<string, number> {
  const keys = new Set<string>();
  for (const r of reps) for (const k of Object.keys(r)) keys.add(k);
  const out: Record<string, number> = {};
  for (const k of keys) {
    const vals: number[] = [];
    for (const r of reps) if (typeof r[k] === 'number' && !Number.isNaN(r[k])) vals.push(r[k]!);
    out[k] = median(vals);
  }
  return out;
}
