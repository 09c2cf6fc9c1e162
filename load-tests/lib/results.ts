/**
 * Writing results: per scenario `<name>.json` (machine, versions, parameters, rows, medians,
 * ratios, timestamp), `<name>.md` (the table and notes) and `<name>.svg` (the chart), plus the
 * results page `README.md` regenerated from every `<name>.json` present in the directory.
 *
 * @module
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderChart } from './chart.js';
import { machineInfo, type MachineInfo } from './machine.js';
import { ratiosByCase } from './table.js';
import type { Row, ScenarioResult } from './types.js';

/** Scenario order on the results page (others follow alphabetically). */
export const SCENARIO_ORDER = ['runtime', 'echo', 'http', 'chat', 'scale'] as const;

/** The JSON document written for each scenario (`<name>.json`). */
export interface ResultsFile {
  /** Format version of this document. */
  schema: 1;
  name: string;
  /** ISO 8601, when the scenario finished. */
  timestamp: string;
  /** Whether this was a `--quick` smoke run (figures then prove nothing about speed). */
  quick: boolean;
  /** The command that reproduces it, e.g. "npm run load -- echo". */
  command: string;
  /** Wall time of the scenario, seconds. */
  durationSec: number;
  machine: MachineInfo;
  /** Node and Go versions (also in `machine`, here for quick reading). */
  versions: { node: string; go: string | null };
  params: Record<string, unknown>;
  chartMetric: string;
  lowerIsBetter: boolean;
  baseline: string;
  /** Every row as measured (each metric is the median of the scenario's repetitions). */
  rows: Row[];
  /** `medians[case][impl]`: the chart metric per case and implementation. */
  medians: Record<string, Record<string, number>>;
  /** `ratios[case][impl]`: chart metric ÷ baseline's in the same case. */
  ratios: Record<string, Record<string, number>>;
  table: string;
  notes: string[];
}

/**
 * Checks that a scenario returned a well-formed result (rows with a case, an implementation and
 * numeric metrics; the chart metric present somewhere; the name as expected).
 *
 * @param r what the scenario returned.
 * @param name the scenario name it was run as.
 * @returns a list of problems (empty when well-formed).
 * @example const problems = validateResult(result, 'echo');
 */
export function validateResult(r: unknown, name: string): string[] {
  const p: string[] = [];
  if (typeof r !== 'object' || r === null) return [`result is ${r === null ? 'null' : typeof r}, not an object`];
  const x = r as Partial<ScenarioResult>;
  if (x.name !== name) p.push(`name is ${JSON.stringify(x.name)}, expected "${name}"`);
  if (!Array.isArray(x.rows) || x.rows.length === 0) p.push('rows is empty or not an array');
  if (typeof x.chartMetric !== 'string') p.push('chartMetric is not a string');
  if (typeof x.baseline !== 'string') p.push('baseline is not a string');
  if (typeof x.table !== 'string') p.push('table is not a string');
  if (!Array.isArray(x.notes)) p.push('notes is not an array');
  if (typeof x.params !== 'object' || x.params === null) p.push('params is not an object');
  for (const [i, row] of (Array.isArray(x.rows) ? x.rows : []).entries()) {
    if (typeof row?.case !== 'string' || typeof row?.impl !== 'string') p.push(`rows[${i}] lacks case/impl`);
    else if (typeof row.metrics !== 'object' || row.metrics === null) p.push(`rows[${i}] (${row.impl}) lacks metrics`);
    else for (const [k, v] of Object.entries(row.metrics)) if (typeof v !== 'number') p.push(`rows[${i}].metrics.${k} is not a number`);
  }
  if (Array.isArray(x.rows) && typeof x.chartMetric === 'string' && !x.rows.some((row) => typeof row?.metrics?.[x.chartMetric!] === 'number'))
    p.push(`no row has the chart metric "${x.chartMetric}"`);
  return p;
}

/** JSON with NaN/Infinity as null (JSON cannot hold them). */
function _json(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? null : x), 2) + '\n';
}

/**
 * Writes `<name>.json`, `<name>.md` and `<name>.svg` for one scenario into `dir`.
 *
 * @param dir the results directory (created if missing).
 * @param r the scenario's (validated) result.
 * @param meta `quick`, `command`, `durationSec`, and optionally `timestamp` (now by default).
 * @returns the document written as JSON.
 * @throws Error when the chart cannot be rendered or files cannot be written.
 * @example await writeScenarioResults('load-tests/results', result, { quick: false, command: 'npm run load -- echo', durationSec: 93 });
 */
export async function writeScenarioResults(
  dir: string,
  r: ScenarioResult,
  meta: { quick: boolean; command: string; durationSec: number; timestamp?: string },
): Promise<ResultsFile> {
  mkdirSync(dir, { recursive: true });
  const machine = machineInfo();
  const medians: Record<string, Record<string, number>> = {};
  for (const row of r.rows) {
    const v = row.metrics[r.chartMetric];
    if (typeof v === 'number') (medians[row.case] ??= {})[row.impl] = v;
  }
  const doc: ResultsFile = {
    schema: 1,
    name: r.name,
    timestamp: meta.timestamp ?? new Date().toISOString(),
    quick: meta.quick,
    command: meta.command,
    durationSec: Math.round(meta.durationSec * 10) / 10,
    machine,
    versions: { node: machine.node, go: machine.go },
    params: r.params,
    chartMetric: r.chartMetric,
    lowerIsBetter: Boolean(r.lowerIsBetter),
    baseline: r.baseline,
    rows: r.rows,
    medians,
    ratios: ratiosByCase(r.rows, r.baseline, r.chartMetric),
    table: r.table,
    notes: r.notes,
  };
  writeFileSync(join(dir, `${r.name}.json`), _json(doc));
  writeFileSync(join(dir, `${r.name}.md`), scenarioMarkdown(doc, 1));
  writeFileSync(join(dir, `${r.name}.svg`), await renderChart(r));
  return doc;
}

/** GitHub's anchor for a scenario's heading. */
function _slug(d: ResultsFile): string {
  const title = `${d.name}${d.quick ? ' (quick smoke run: not a measurement)' : ''}`;
  return title.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

/** The machine in one line. */
function _machineLine(d: ResultsFile): string {
  const m = d.machine;
  return `${m.cores} × ${m.cpuModel}, ${m.memoryGb} GiB, ${m.os}; Node ${m.node}${m.go ? `, Go ${m.go.replace(/^go/, '')}` : ', Go not installed'}`;
}

/**
 * The markdown section of one scenario: heading, when/where, command, parameters, chart, table,
 * notes.
 *
 * @param d the scenario's results document.
 * @param level heading level (1 for `<name>.md`, 2 on the results page).
 * @param chart whether to embed `<name>.svg` (it sits next to the markdown).
 * @returns markdown text ending with a newline.
 * @example scenarioMarkdown(JSON.parse(readFileSync('echo.json', 'utf8')), 2)
 */
export function scenarioMarkdown(d: ResultsFile, level: number, chart = true): string {
  const h = '#'.repeat(level);
  const lines = [
    `${h} ${d.name}${d.quick ? ' (quick smoke run: not a measurement)' : ''}`,
    '',
    `Measured ${d.timestamp} in ${d.durationSec} s on ${_machineLine(d)}.`,
    `Reproduce with \`${d.command}\`.`,
    '',
    `Parameters: ${Object.entries(d.params)
      .map(([k, v]) => `${k} = \`${typeof v === 'string' ? v : JSON.stringify(v)}\``)
      .join(', ') || 'none'}.`,
    '',
  ];
  if (chart) lines.push(`![${d.name}: ${d.chartMetric} per implementation](${d.name}.svg)`, '');
  lines.push(d.table.trimEnd(), '');
  if (d.notes.length) lines.push('Notes:', '', ...d.notes.map((n) => `- ${n}`), '');
  return lines.join('\n');
}

/**
 * Regenerates `dir/README.md` from every `<name>.json` in `dir`: the latest table and chart of
 * each scenario, in the order runtime, echo, http, chat, then any others.
 *
 * @param dir the results directory.
 * @returns the names of the scenarios on the page.
 * @example writeResultsIndex('load-tests/results')
 */
export function writeResultsIndex(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const docs: ResultsFile[] = [];
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.json')) continue;
    try {
      const d = JSON.parse(readFileSync(join(dir, f), 'utf8')) as ResultsFile;
      if (d.schema === 1 && typeof d.name === 'string' && Array.isArray(d.rows)) docs.push(d);
    } catch {
      // not a results file
    }
  }
  const rank = (n: string): number => {
    const i = (SCENARIO_ORDER as readonly string[]).indexOf(n);
    return i < 0 ? SCENARIO_ORDER.length : i;
  };
  docs.sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
  const quick = docs.some((d) => d.quick);
  const lines = [
    '# Load-test results',
    '',
    '<!-- Generated by load-tests/run.ts from the JSON files in this directory; edits are overwritten. -->',
    '',
    quick
      ? 'These are **quick smoke runs** (`npm run load -- --quick`): they check that every scenario works, not how fast.'
      : 'The latest results of `npm run load` (every scenario) or `npm run load -- NAME` (one), side by side with their baselines in the same run. Each figure is the median of the scenario\'s repetitions; ratios compare with the baseline of the same case.',
    '',
    'Layout of this directory:',
    '',
    '- `<name>.json`: machine (CPU, cores, memory, OS), Node and Go versions, parameters, rows, medians, ratios to the baseline, timestamp;',
    '- `<name>.md`: the table and notes; `<name>.svg`: the chart (throughput per implementation and case, ratio to the baseline marked);',
    '- `quick/`: output of `npm run load -- --quick` (smoke runs, git-ignored); `tmp/`: built Go peers (git-ignored).',
    '',
    'Run everything with `npm run load`, one scenario with `npm run load -- NAME` (runtime, echo, http, chat). Go peers run when `go` is installed (Debian: `apt-get install -y golang-go`).',
    '',
  ];
  if (docs.length === 0) lines.push('No results yet: run `npm run load`.', '');
  else {
    lines.push('Contents: ' + docs.map((d) => `[${d.name}](#${_slug(d)})`).join(' · '), '');
    for (const d of docs) lines.push(scenarioMarkdown(d, 2));
  }
  writeFileSync(join(dir, 'README.md'), lines.join('\n'));
  return docs.map((d) => d.name);
}
