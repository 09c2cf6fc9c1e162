/**
 * CPU profile of one runtime-benchmark case: runs the worker under `node --cpu-prof` and prints
 * the functions with the most self time.
 *
 *   node dist/load-tests/runtime/profile.js [impl=strand] [case=pingpong] [targetMs=2000] [top=25]
 *
 * The .cpuprofile is kept under load-tests/results/tmp/profile/ (open it in Chrome DevTools).
 *
 * @module
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '../lib/index.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [impl = 'strand', kase = 'pingpong', targetMs = '2000', top = '25'] = process.argv.slice(2);
const dir = join(repoRoot(), 'load-tests', 'results', 'tmp', 'profile', `${impl.replace(/\W/g, '_')}-${kase}`);
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const worker = fileURLToPath(new URL('./worker.js', import.meta.url));
const r = spawnSync(process.execPath, ['--expose-gc', '--cpu-prof', `--cpu-prof-dir=${dir}`, worker, impl, kase, targetMs], { encoding: 'utf8' });
process.stdout.write(`worker: ${r.stdout.trim()} ${r.stderr.trim()}\n`);
const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
if (file === undefined) throw new Error('no profile written');
const prof = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile;
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map<string, number>();
let total = 0;
for (let i = 0; i < prof.samples.length; i++) {
  const n = byId.get(prof.samples[i]!)!;
  const dt = prof.timeDeltas[i] ?? 0;
  total += dt;
  const f = n.callFrame;
  const where = f.url === '' ? '' : ` ${f.url.replace(/^file:\/\/.*?\/dist\//, '')}:${f.lineNumber + 1}`;
  const key = `${f.functionName || '(anonymous)'}${where}`;
  self.set(key, (self.get(key) ?? 0) + dt);
}
const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(top));
process.stdout.write(`self time, ${impl} ${kase} (${(total / 1000).toFixed(0)} ms sampled), profile: ${join(dir, file)}\n`);
for (const [k, v] of rows) process.stdout.write(`${((100 * v) / total).toFixed(1).padStart(5)}%  ${(v / 1000).toFixed(1).padStart(8)} ms  ${k}\n`);
