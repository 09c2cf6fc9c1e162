import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../load-tests/lib/index.js';
import type { ResultsFile } from '../../load-tests/lib/results.js';

const root = repoRoot();
const runJs = join(root, 'dist', 'load-tests', 'run.js');
const fixtures = join(root, 'dist', 'test', 'load-tests', 'fixtures');

function harness(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [runJs, ...args], { env: { ...process.env, CI: 'true' }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

t.test('run.js writes JSON, markdown, SVG and the results page for a scenario', { timeout: 60_000 }, async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'strand-lt-'));
  t.teardown(() => rmSync(out, { recursive: true, force: true }));
  const r = await harness(['fake', 'chat', '--quick', '--scenarios', fixtures, '--out', out]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /fake: done in/);
  t.match(r.stdout, /chat: not available/, 'a missing scenario is reported, not a crash');
  t.match(r.stdout, /\| case \| implementation \| round trips\/s/, 'prints the table');
  t.notMatch(r.stderr, /\[fake\] starting/, 'quiet in CI');

  const doc = JSON.parse(readFileSync(join(out, 'fake.json'), 'utf8')) as ResultsFile;
  t.equal(doc.name, 'fake');
  t.equal(doc.quick, true);
  t.equal(doc.command, 'npm run load -- fake --quick');
  t.ok(doc.machine.cores >= 1 && doc.machine.cpuModel.length > 0 && doc.machine.memoryGb > 0 && doc.machine.os.length > 0);
  t.equal(doc.versions.node, process.version);
  t.ok(!Number.isNaN(Date.parse(doc.timestamp)));
  t.same(doc.params, { n: 20, quick: true });
  t.same(doc.rows.map((x) => x.impl).sort(), ['node', 'node', 'strand', 'strand']);
  t.equal(doc.ratios['second case']!.strand, 1.2);
  t.equal(doc.ratios['20 round trips']!.node, 1);
  t.equal(doc.medians['second case']!.node, 10);

  const md = readFileSync(join(out, 'fake.md'), 'utf8');
  t.match(md, /^# fake \(quick smoke run/);
  t.match(md, /!\[fake: rps per implementation\]\(fake\.svg\)/);
  t.match(md, /- fixture: both implementations/);

  const svg = readFileSync(join(out, 'fake.svg'), 'utf8');
  t.match(svg, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  t.match(svg, /1\.20× node/, 'the ratio to the baseline is marked');
  t.match(svg, /second case/);

  const page = readFileSync(join(out, 'README.md'), 'utf8');
  t.match(page, /## fake/);
  t.match(page, /!\[fake: rps per implementation\]\(fake\.svg\)/);
});

t.test('run.js exits 1 and names the scenario when one fails or returns a malformed result', { timeout: 30_000 }, async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'strand-lt-'));
  t.teardown(() => rmSync(out, { recursive: true, force: true }));
  const r = await harness(['broken', 'malformed', '--scenarios', fixtures, '--out', out]);
  t.equal(r.code, 1);
  t.match(r.stderr, /broken: FAILED: Error: fixture: peer failed to start/);
  t.match(r.stderr, /malformed: FAILED: .*malformed result:[\s\S]*rows\[0\]\.metrics\.rps is not a number/);
  t.notOk(existsSync(join(out, 'malformed.json')), 'nothing written for a malformed result');
  t.match(r.stdout, /0 done, 2 failed/);
});

t.test('run.js rejects unknown scenario names and options with usage (exit 2)', { timeout: 30_000 }, async (t) => {
  const a = await harness(['nosuch', '--scenarios', fixtures]);
  t.equal(a.code, 2);
  t.match(a.stderr, /no scenario named nosuch \(known: runtime, echo, http, chat, scale, broken, fake, malformed\)/);
  const b = await harness(['--fast']);
  t.equal(b.code, 2);
  t.match(b.stderr, /unknown option --fast[\s\S]*usage: npm run load/);
});

t.test('run.js bounds each scenario with --timeout', { timeout: 30_000 }, async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'strand-lt-'));
  t.teardown(() => rmSync(out, { recursive: true, force: true }));
  const r = await harness(['fake', '--timeout', '0.05', '--scenarios', fixtures, '--out', out]);
  t.equal(r.code, 1);
  t.match(r.stderr, /scenario fake did not finish within 0\.05 s/);
});

t.test('run.js --quick --parallel runs scenarios at once and still reports each; refused without --quick', { timeout: 30_000 }, async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'strand-lt-'));
  t.teardown(() => rmSync(out, { recursive: true, force: true }));
  const r = await harness(['fake', 'broken', '--quick', '--parallel', '--scenarios', fixtures, '--out', out]);
  t.equal(r.code, 1, 'one failed');
  t.match(r.stdout, /fake: done in/);
  t.match(r.stderr, /broken: FAILED/);
  t.ok(existsSync(join(out, 'fake.json')));
  const b = await harness(['fake', '--parallel', '--scenarios', fixtures, '--out', out]);
  t.equal(b.code, 2);
  t.match(b.stderr, /--parallel is for --quick smoke runs only/);
});
