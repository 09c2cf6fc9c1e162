/**
 * The results chart: one horizontal bar per implementation for each case, of the scenario's
 * headline metric, each labelled with its ratio to the baseline (raw Node, usually) — built as a
 * vega-lite spec and rendered to SVG headless by vega (no canvas, no browser).
 *
 * @module
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { ScenarioResult } from './types.js';
import { ratiosByCase } from './table.js';

/** One bar of the chart. */
interface _Datum {
  case: string;
  impl: string;
  value: number;
  ratio: number;
  label: string;
  isBaseline: boolean;
}

/**
 * The vega-lite spec of a scenario's chart (exported so tests and tools can inspect it).
 *
 * @param r the scenario result.
 * @returns the spec: faceted by case, bars of `r.chartMetric` per implementation, ratio labels.
 * @example const spec = chartSpec(result); // then render with renderChart
 */
export function chartSpec(r: ScenarioResult): TopLevelSpec {
  const ratios = ratiosByCase(r.rows, r.baseline, r.chartMetric);
  const data: _Datum[] = [];
  for (const row of r.rows) {
    const v = row.metrics[r.chartMetric];
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    const ratio = ratios[row.case]?.[row.impl] ?? NaN;
    const isBaseline = row.impl === r.baseline;
    data.push({
      case: row.case,
      impl: row.impl,
      value: v,
      ratio,
      isBaseline,
      label: isBaseline ? `${_fmt(v)} (baseline)` : Number.isFinite(ratio) ? `${_fmt(v)} · ${ratio.toFixed(2)}× ${r.baseline}` : _fmt(v),
    });
  }
  // Cases in the order the scenario reported them (vega-lite would sort them by name).
  const cases = [...new Set(data.map((d) => d.case))];
  const better = r.lowerIsBetter ? 'lower is better' : 'higher is better';
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `${r.name}: ${r.chartMetric} (${better})`, subtitle: `label: value and ratio to ${r.baseline}`, anchor: 'start' },
    data: { values: data },
    facet: { row: { field: 'case', type: 'nominal', title: null, sort: cases, header: { labelAngle: 0, labelAlign: 'left', labelAnchor: 'start', labelOrient: 'top', labelFontWeight: 'bold' } } },
    resolve: { scale: { x: 'independent' } },
    spec: {
      width: 420,
      layer: [
        {
          mark: { type: 'bar', height: { band: 0.8 } },
          encoding: {
            y: { field: 'impl', type: 'nominal', title: null, sort: null },
            x: { field: 'value', type: 'quantitative', title: r.chartMetric },
            // Same colours in every chart: strand (and its variants) orange, the baseline grey,
            // every other peer blue.
            color: {
              condition: [
                { test: "indexof(datum.impl, 'strand') >= 0", value: '#f58518' },
                { test: 'datum.isBaseline', value: '#9d9d9d' },
              ],
              value: '#4c78a8',
            },
            tooltip: [{ field: 'impl' }, { field: 'value', format: ',.4~g' }, { field: 'ratio', format: '.2f' }],
          },
        },
        {
          mark: { type: 'text', align: 'left', dx: 4, fontSize: 11 },
          encoding: {
            y: { field: 'impl', type: 'nominal', sort: null },
            x: { field: 'value', type: 'quantitative' },
            text: { field: 'label', type: 'nominal' },
          },
        },
        {
          // The baseline's value, marked across the bars: where 1.00× is.
          transform: [{ filter: 'datum.isBaseline' }],
          mark: { type: 'rule', strokeDash: [4, 3], color: '#333' },
          encoding: { x: { field: 'value', type: 'quantitative' } },
        },
      ],
    },
    config: { view: { stroke: null }, font: 'Helvetica, Arial, sans-serif' },
  } as TopLevelSpec;
}

/** Short number text for labels. */
function _fmt(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
  if (a >= 1e4) return `${(v / 1e3).toFixed(1)}k`;
  if (a >= 100) return v.toFixed(0);
  if (a >= 1) return v.toFixed(2);
  return v.toPrecision(3);
}

/**
 * Renders a scenario's chart to SVG text (headless: vega's "none" renderer, no canvas).
 *
 * @param r the scenario result.
 * @returns the SVG document.
 * @throws Error when vega fails to compile or render the spec.
 * @example writeFileSync('echo.svg', await renderChart(result));
 */
export async function renderChart(r: ScenarioResult): Promise<string> {
  const compiled = compile(chartSpec(r)).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
