/**
 * Every code sample in README.md is checked:
 * - ```ts / ```typescript blocks are extracted, one module each, into dist/test/readme-samples/
 *   and type-checked with the TypeScript compiler API (strict), with the package's own imports
 *   ('strand', 'strand/net', 'strand/http', 'strand/fastify', 'strand/procs', 'strand/testing') mapped to the src/ entry points.
 *   Each block must compile on its own (top-level await allowed).
 * - ```sh / ```bash / ```console blocks: every `npm ...` command must name a script that exists
 *   in package.json (or be an install command), and every `node <path>` must name a file that
 *   exists after `npm run build`.
 */
import t from 'tap';
import ts from 'typescript';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../load-tests/lib/env.js';

const root = repoRoot();
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

interface Block {
  lang: string;
  /** 1-based README line of the first code line. */
  line: number;
  code: string;
}

/** Fenced code blocks of a markdown document (``` or ~~~ fences). */
function codeBlocks(md: string): Block[] {
  const lines = md.split('\n');
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^ {0,3}(`{3,}|~{3,})\s*([\w+-]*)/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[1]!;
    const start = i + 1;
    let j = start;
    while (j < lines.length && !lines[j]!.trimStart().startsWith(fence)) j++;
    out.push({ lang: open[2]!.toLowerCase(), line: start + 1, code: lines.slice(start, j).join('\n') });
    i = j;
  }
  return out;
}

const blocks = codeBlocks(readme);
const tsBlocks = blocks.filter((b) => b.lang === 'ts' || b.lang === 'typescript');
const shBlocks = blocks.filter((b) => ['sh', 'bash', 'shell', 'console'].includes(b.lang));

t.test('README.md has code samples to check', { timeout: 5_000 }, async (t) => {
  t.ok(tsBlocks.length >= 1, `${tsBlocks.length} TypeScript samples`);
  t.ok(shBlocks.length >= 1, `${shBlocks.length} shell samples`);
});

t.test('README.md TypeScript samples type-check against src/', { timeout: 60_000 }, async (t) => {
  const dir = join(root, 'dist', 'test', 'readme-samples');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files = new Map<string, Block>();
  tsBlocks.forEach((b, i) => {
    const f = join(dir, `sample-${String(i + 1).padStart(2, '0')}-line-${b.line}.ts`);
    // `export {}` makes every sample a module (top-level await, no global clashes between samples).
    writeFileSync(f, `${b.code}\nexport {};\n`);
    files.set(f, b);
  });
  const src = (p: string): string[] => [join(root, 'src', p)];
  const program = ts.createProgram([...files.keys()], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2023.d.ts'],
    types: ['node'],
    typeRoots: [join(root, 'node_modules', '@types')],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    allowImportingTsExtensions: false,
    paths: {
      strand: src('index.ts'),
      'strand/net': src('net/index.ts'),
      'strand/http': src('http/index.ts'),
      'strand/fastify': src('http/fastify/index.ts'),
      'strand/procs': src('procs/index.ts'),
      'strand/testing': src('testing/index.ts'),
    },
  });
  const diags = ts.getPreEmitDiagnostics(program).filter((d) => !d.file || files.has(d.file.fileName));
  for (const [f, b] of files) {
    const mine = diags.filter((d) => d.file?.fileName === f);
    const text = mine.map((d) => {
      const msg = ts.flattenDiagnosticMessageText(d.messageText, '\n');
      const pos = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
      return `README.md:${pos ? b.line + pos.line : b.line}: TS${d.code}: ${msg}`;
    });
    t.same(text, [], `sample at README.md line ${b.line} compiles`);
  }
  const global = diags.filter((d) => !d.file).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  t.same(global, [], 'no global diagnostics');
});

/** Splits a shell line into commands (on &&, ||, ;, |) and strips a `$ ` prompt. */
function commands(code: string): { cmd: string; line: number }[] {
  const out: { cmd: string; line: number }[] = [];
  code.split('\n').forEach((raw, i) => {
    const l = raw.replace(/^\s*\$\s+/, '').replace(/\s+#.*$/, '').trim();
    if (!l || l.startsWith('#')) return;
    for (const c of l.split(/&&|\|\||;|\|/)) if (c.trim()) out.push({ cmd: c.trim(), line: i });
  });
  return out;
}

t.test('README.md shell samples name npm scripts and files that exist', { timeout: 10_000 }, async (t) => {
  let checked = 0;
  for (const b of shBlocks) {
    for (const { cmd, line } of commands(b.code)) {
      const where = `README.md:${b.line + line}: ${cmd}`;
      const words = cmd.split(/\s+/);
      if (words[0] === 'npm') {
        checked++;
        const sub = words[1];
        if (sub === 'install' || sub === 'i' || sub === 'ci') t.pass(where);
        else if (sub === 'run' || sub === 'run-script') t.ok(words[2] && words[2] in pkg.scripts, `${where}: script "${words[2]}" exists`);
        else if (sub === 'test' || sub === 'start' || sub === 't') t.ok((sub === 't' ? 'test' : sub) in pkg.scripts, `${where}: script exists`);
        else t.fail(`${where}: unexpected npm command (not an install or a script)`);
      } else if (words[0] === 'node' && words[1] && !words[1].startsWith('-')) {
        checked++;
        t.ok(existsSync(join(root, words[1])), `${where}: ${words[1]} exists after the build`);
      }
    }
  }
  t.ok(checked >= 1, `${checked} commands checked`);
});

t.test('README.md links and images to repository files point at files that exist', { timeout: 5_000 }, async (t) => {
  // Outside code blocks: [text](path) and ![alt](path) with a relative path (no scheme, not an anchor).
  const prose = readme.replace(/^ {0,3}(`{3,}|~{3,})[\s\S]*?^ {0,3}\1/gm, '');
  const targets = [...prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)]
    .map((m) => m[1]!)
    .filter((u) => !/^[a-z][a-z0-9+.-]*:/i.test(u) && !u.startsWith('#'));
  for (const u of targets) {
    const path = decodeURIComponent(u.split('#')[0]!);
    t.ok(existsSync(join(root, path)), `README.md links to ${path}, which exists`);
  }
  t.pass(`${targets.length} local links checked`);
});
