/**
 * Keeps the load tests from rotting: runs `node dist/load-tests/run.js --quick` (the smoke
 * version of every scenario that exists) and checks that it exits 0 and writes well-formed
 * results with rows for each implementation. Correctness only: no speed is asserted.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../load-tests/lib/env.js';
import { SCENARIO_ORDER, type ResultsFile } from '../../load-tests/lib/results.js';

// The whole smoke run can outlast .taprc's per-file timeout on a busy machine: tell the runner.
t.setTimeout(240_000);

const root = repoRoot();
const present = SCENARIO_ORDER.filter((n) => existsSync(join(root, 'dist', 'load-tests', n, 'scenario.js')));

t.test(`run.js --quick runs every available scenario (${present.join(', ') || 'none yet'}) and writes well-formed results`, { timeout: 200_000 }, async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'strand-quick-'));
  t.teardown(() => rmSync(out, { recursive: true, force: true }));
  const started = Date.now();
  const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [join(root, 'dist', 'load-tests', 'run.js'), '--quick', '--out', out, '--timeout', '90'],
      { env: { ...process.env, CI: 'true' }, timeout: 195_000, maxBuffer: 1 << 24 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
  });
  if (r.code !== 0) t.comment(`stdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  t.equal(r.code, 0, 'run.js --quick exits 0');
  t.comment(`quick run took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  for (const name of SCENARIO_ORDER) {
    if (!present.includes(name)) {
      t.match(r.stdout, new RegExp(`${name}: not available`), `${name} reported as not available`);
      continue;
    }
    const file = join(out, `${name}.json`);
    t.ok(existsSync(file), `${name}.json written`);
    if (!existsSync(file)) continue;
    const doc = JSON.parse(readFileSync(file, 'utf8')) as ResultsFile;
    t.equal(doc.name, name);
    t.equal(doc.quick, true);
    t.ok(doc.rows.length > 0, `${name}: rows`);
    const impls = [...new Set(doc.rows.map((row) => row.impl))];
    t.ok(impls.includes('strand'), `${name}: strand measured (${impls.join(', ')})`);
    t.ok(impls.includes(doc.baseline), `${name}: baseline ${doc.baseline} measured`);
    for (const impl of impls) {
      const ok = doc.rows.some((row) => row.impl === impl && typeof row.metrics[doc.chartMetric] === 'number');
      t.ok(ok, `${name}: ${impl} has a ${doc.chartMetric} figure`);
    }
    for (const row of doc.rows)
      for (const [k, v] of Object.entries(row.metrics)) if (v !== null && typeof v !== 'number') t.fail(`${name}: ${row.impl}/${row.case}: ${k} = ${String(v)}`);
    t.ok(existsSync(join(out, `${name}.md`)), `${name}.md written`);
    t.match(readFileSync(join(out, `${name}.svg`), 'utf8'), /^<svg/, `${name}.svg is an SVG`);
  }
  t.match(readFileSync(join(out, 'README.md'), 'utf8'), /^# Load-test results/);
});
