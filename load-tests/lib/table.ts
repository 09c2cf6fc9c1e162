/**
 * Markdown tables for load-test results.
 *
 * `markdownTable` is the general tool (any records, any columns); `rowsTable` is the side-by-side
 * table most scenarios want: one line per case × implementation, chosen metrics, and the ratio of
 * the headline metric to the baseline implementation of the same case.
 *
 * @module
 */
import type { Row } from './types.js';

/** A column of {@link markdownTable}: a key of the record, or a full description. */
export type Column<R> =
  | (keyof R & string)
  | {
      /** The record key to read (ignored when `format` computes the cell from the whole row). */
      key: string;
      /** Header text; the key when omitted. */
      title?: string;
      /** Cell alignment; numbers default to right, everything else to left. */
      align?: 'left' | 'right' | 'center';
      /** Turns the value into the cell text; {@link formatNumber} for numbers by default. */
      format?: (value: unknown, row: R) => string;
    };

/**
 * Formats a number for a table: thousands separators for big values, three significant decimals
 * for small ones, `—` for NaN/undefined.
 *
 * @param v the value.
 * @param digits fixed decimals instead of the automatic choice.
 * @returns the text.
 * @example formatNumber(51234.7) // "51,235"; formatNumber(0.01234) // "0.0123"
 */
export function formatNumber(v: unknown, digits?: number): string {
  if (typeof v !== 'number' || Number.isNaN(v)) return v === undefined || v === null || Number.isNaN(v) ? '—' : String(v);
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '-∞';
  if (digits !== undefined) return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString('en-US');
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  if (a === 0) return '0';
  return v.toPrecision(3);
}

/** Escapes a cell so it cannot break the table. */
function _cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/**
 * Renders records as a GitHub-flavoured markdown table.
 *
 * @param rows the records, one table line each.
 * @param columns the columns, in order: record keys or {@link Column} descriptions.
 * @returns the table text (header, alignment line, one line per row), without a trailing newline.
 * @example
 * markdownTable([{ impl: 'node', rps: 51234 }], ['impl', { key: 'rps', title: 'req/s' }])
 * // | impl | req/s |
 * // | :--- | ---: |
 * // | node | 51,234 |
 */
export function markdownTable<R extends object>(rows: readonly R[], columns: readonly Column<R>[]): string {
  const cols = columns.map((c) => (typeof c === 'string' ? { key: c } : c));
  const cells = rows.map((r) =>
    cols.map((c) => {
      const v = (r as Record<string, unknown>)[c.key];
      return _cell(c.format ? c.format(v, r) : typeof v === 'number' ? formatNumber(v) : v === undefined ? '' : String(v));
    }),
  );
  const aligns = cols.map((c) => {
    if (c.align) return c.align;
    const first = rows.find((r) => (r as Record<string, unknown>)[c.key] !== undefined);
    return first !== undefined && typeof (first as Record<string, unknown>)[c.key] === 'number' ? 'right' : 'left';
  });
  const head = `| ${cols.map((c) => _cell(c.title ?? c.key)).join(' | ')} |`;
  const sep = `| ${aligns.map((a) => (a === 'right' ? '---:' : a === 'center' ? ':---:' : ':---')).join(' | ')} |`;
  return [head, sep, ...cells.map((cs) => `| ${cs.join(' | ')} |`)].join('\n');
}

/**
 * Ratio of each row's `metric` to the baseline implementation's value in the same case.
 *
 * @param rows the measured rows.
 * @param baseline the baseline implementation name (e.g. "node").
 * @param metric the metric to compare (e.g. "rps").
 * @returns `ratios[case][impl] = value / baselineValue` (NaN when the case has no baseline row).
 * @example ratiosByCase(rows, 'node', 'rps')['64 B, 50 conns'].strand // 0.97
 */
export function ratiosByCase(rows: readonly Row[], baseline: string, metric: string): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const r of rows) {
    const base = rows.find((b) => b.case === r.case && b.impl === baseline)?.metrics[metric];
    const v = r.metrics[metric];
    (out[r.case] ??= {})[r.impl] = typeof base === 'number' && typeof v === 'number' && base !== 0 ? v / base : NaN;
  }
  return out;
}

/** A metric column of {@link rowsTable}. */
export interface MetricColumn {
  /** Key in `Row.metrics`. */
  key: string;
  /** Header text (e.g. "req/s", "p99 ms"); the key when omitted. */
  title?: string;
  /** Fixed decimals; automatic when omitted. */
  digits?: number;
}

/**
 * The standard side-by-side table: `case | impl | metrics... | × baseline`.
 *
 * @param rows the measured rows (already medians of repetitions).
 * @param opts `metrics` to show; `baseline` implementation and `ratioMetric` for the ratio column
 *   (omit `baseline` for no ratio column).
 * @returns the markdown table.
 * @example rowsTable(rows, { metrics: [{ key: 'rps', title: 'req/s' }, { key: 'p99_ms', title: 'p99 ms' }], baseline: 'node', ratioMetric: 'rps' })
 */
export function rowsTable(
  rows: readonly Row[],
  opts: { metrics: readonly (MetricColumn | string)[]; baseline?: string; ratioMetric?: string },
): string {
  const metrics = opts.metrics.map((m) => (typeof m === 'string' ? { key: m } : m));
  const ratioMetric = opts.ratioMetric ?? metrics[0]?.key;
  const ratios = opts.baseline && ratioMetric ? ratiosByCase(rows, opts.baseline, ratioMetric) : undefined;
  const cols: Column<Row>[] = [
    { key: 'case', title: 'case' },
    { key: 'impl', title: 'implementation' },
    ...metrics.map(
      (m): Column<Row> => ({ key: m.key, title: m.title ?? m.key, align: 'right', format: (_v, r) => formatNumber(r.metrics[m.key], m.digits) }),
    ),
  ];
  if (ratios && opts.baseline) {
    cols.push({
      key: 'ratio',
      title: `× ${opts.baseline}`,
      align: 'right',
      format: (_v, r) => {
        const x = ratios[r.case]?.[r.impl];
        return x === undefined || Number.isNaN(x) ? '—' : `${x.toFixed(2)}×`;
      },
    });
  }
  return markdownTable(rows, cols);
}
