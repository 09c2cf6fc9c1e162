/**
 * The rules ARCHITECTURE.md states, checked on the source tree and on the published types, so a
 * newcomer cannot break one without a failing test:
 * - each layer imports only from layers below it (runtime ← net/poll ← net ← http ← fastify ← procs ← testing);
 * - no import cycle inside src/;
 * - no Waiter subclass outside the runtime (park/ready stay monomorphic);
 * - no `_underscore` member reached from outside its class (shared internals are symbols);
 * - nothing internal in the published .d.ts (no `_underscore` members outside `_internal` modules);
 * - no source file over 450 lines unless its opening comment says why (`Why one file`).
 */
import t from 'tap';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { repoRoot } from '../load-tests/lib/env.js';

const root = repoRoot();
const src = join(root, 'src');

function walk(dir: string, ext: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p, ext));
    else if (p.endsWith(ext)) out.push(p);
  }
  return out;
}

const files = walk(src, '.ts').filter((f) => !f.endsWith('.d.ts'));
const rel = (f: string): string => relative(root, f);

/** Relative imports of a source file (value and type imports alike), as absolute .ts paths. */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  const re = /^\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gm;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    out.push(resolve(dirname(file), m[1]!.replace(/\.js$/, '.ts')));
  }
  return out;
}

/** The layer a file belongs to, lowest first. */
const LAYERS = ['src/runtime', 'src/net/poll', 'src/net', 'src/http', 'src/http/fastify', 'src/procs', 'src/testing'] as const;
function layerOf(file: string): number {
  const r = rel(file);
  let best = -1;
  for (let i = 0; i < LAYERS.length; i++) if (r.startsWith(LAYERS[i] + '/')) best = i;
  return best; // -1: src/index.ts, the package root (re-exports only)
}

t.test('architecture: each layer imports only from itself and the layers below it', { timeout: 10_000 }, async (t) => {
  const bad: string[] = [];
  for (const f of files) {
    const lf = layerOf(f);
    if (lf < 0) continue;
    for (const target of imports(f)) {
      const lt = layerOf(target);
      if (lt > lf) bad.push(`${rel(f)} → ${rel(target)}`);
    }
  }
  t.same(bad, [], 'no upward import');
});

t.test('architecture: no import cycle in src/', { timeout: 10_000 }, async (t) => {
  const graph = new Map(files.map((f) => [f, imports(f).filter((x) => existsSync(x))]));
  const cycles: string[] = [];
  const state = new Map<string, 1 | 2>(); // 1 = on the stack, 2 = done
  const stack: string[] = [];
  const visit = (f: string): void => {
    state.set(f, 1);
    stack.push(f);
    for (const g of graph.get(f) ?? []) {
      if (state.get(g) === 1) cycles.push([...stack.slice(stack.indexOf(g)), g].map(rel).join(' → '));
      else if (state.get(g) === undefined) visit(g);
    }
    stack.pop();
    state.set(f, 2);
  };
  for (const f of files) if (!state.has(f)) visit(f);
  t.same(cycles, [], 'no cycle');
});

t.test('architecture: no Waiter subclass outside src/runtime', { timeout: 10_000 }, async (t) => {
  const bad = files.filter((f) => !rel(f).startsWith('src/runtime/') && /\bextends\s+Waiter\b/.test(readFileSync(f, 'utf8')));
  t.same(bad.map(rel), []);
});

t.test('architecture: no underscore member is reached from outside its class', { timeout: 10_000 }, async (t) => {
  // Internals shared between files go through a layer's `_symbols.ts`; inside a class they are
  // `#private`. So `x._name` (other than `this._name`) appears nowhere in src/.
  const bad: string[] = [];
  for (const f of files) {
    readFileSync(f, 'utf8').split('\n').forEach((line, i) => {
      if (/^\s*(?:\/\/|\/\*\*|\*)/.test(line)) return; // a comment line
      const code = line.replace(/'(?:[^'\\]|\\.)*'|`(?:[^`\\]|\\.)*`/g, "''");
      if (/(?<!\bthis)\._[A-Za-z]\w*/.test(code)) bad.push(`${rel(f)}:${i + 1}: ${line.trim()}`);
    });
  }
  t.same(bad, []);
});

t.test('architecture: the published .d.ts files hold nothing internal', { timeout: 10_000 }, async (t) => {
  // Internal modules (`_name.ts`) are emitted but not re-exported by any entry point; every other
  // declaration file must expose no `_underscore` member or export (stripInternal removes the
  // members marked @internal).
  const dts = walk(join(root, 'dist', 'src'), '.d.ts').filter((f) => !/[\\/]_[^\\/]*\.d\.ts$/.test(f));
  t.ok(dts.length > 10, `${dts.length} declaration files (npm run build first)`);
  const bad: string[] = [];
  for (const f of dts) {
    const lines = readFileSync(f, 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (/^\s*(?:\/\*\*|\*)/.test(line)) return; // a comment line
      if (/^\s*(?:(?:private|protected|readonly|static|export|declare|function|const|let|get|set)\s+)*_[A-Za-z]\w*[?!]?\s*[:(<]/.test(line)) {
        bad.push(`${relative(root, f)}:${i + 1}: ${line.trim()}`);
      }
    });
  }
  t.same(bad, []);
});

t.test('architecture: no source file over 450 lines unless it says why at its top', { timeout: 10_000 }, async (t) => {
  const bad: string[] = [];
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    const n = text.split('\n').length;
    if (n <= 450) continue;
    const head = text.slice(0, text.indexOf('*/') + 2); // the opening comment
    if (!/Why one file\b/.test(head)) bad.push(`${rel(f)} (${n} lines)`);
  }
  t.same(bad, []);
});
