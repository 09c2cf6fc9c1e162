/**
 * No Docker engine runs here, so the Dockerfile is checked statically against the repository:
 * its build stage runs the install and build commands the README gives, the files it COPYs exist
 * (and are not hidden by .dockerignore), the entry point its CMD starts exists after
 * `npm run build` — also when the build stage is replayed in an empty directory holding only
 * what it COPYs — and that entry point, started as the CMD starts it (on loopback here), answers
 * the HEALTHCHECK's URL.
 */
import t from 'tap';
import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { builtinModules } from 'node:module';
import ts from 'typescript';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { repoRoot } from '../load-tests/lib/env.js';

const root = repoRoot();

interface Instr {
  op: string;
  args: string;
  line: number;
}
interface Stage {
  from: string;
  name: string | undefined;
  instrs: Instr[];
}

/** Parses a Dockerfile into stages of instructions (continuations joined, comments dropped). */
function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let l = lines[i]!;
    if (/^\s*(#|$)/.test(l)) continue;
    while (/\\\s*$/.test(l) && i + 1 < lines.length) {
      l = l.replace(/\\\s*$/, ' ');
      i++;
      if (!/^\s*#/.test(lines[i]!)) l += lines[i]!.trim();
    }
    const m = /^\s*(\w+)\s+(.*)$/.exec(l);
    if (!m) continue;
    const ins: Instr = { op: m[1]!.toUpperCase(), args: m[2]!.trim(), line: start + 1 };
    if (ins.op === 'FROM') {
      const f = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?/i.exec(ins.args)!;
      stages.push({ from: f[1]!, name: f[2], instrs: [] });
    } else stages.at(-1)?.instrs.push(ins);
  }
  return stages;
}

/** `["a", "b"]` (exec form) or shell form, as a word list. */
function words(args: string): string[] {
  const a = args.trim();
  if (a.startsWith('[')) return JSON.parse(a) as string[];
  return a.split(/\s+/);
}

/** COPY's sources, destination and --from. */
function copyParts(args: string): { from: string | undefined; srcs: string[]; dest: string } {
  const w = words(args);
  let from: string | undefined;
  while (w[0]?.startsWith('--')) {
    const flag = w.shift()!;
    if (flag.startsWith('--from=')) from = flag.slice('--from='.length);
  }
  return { from, srcs: w.slice(0, -1), dest: w.at(-1)! };
}

/** npm commands given in README.md shell blocks. */
function readmeNpmCommands(): string[] {
  const md = readFileSync(join(root, 'README.md'), 'utf8');
  const out: string[] = [];
  const re = /^```(?:sh|bash|shell|console)\s*\n([\s\S]*?)^```/gm;
  for (let m; (m = re.exec(md)); ) {
    for (const line of m[1]!.split('\n'))
      for (const c of line.replace(/^\s*\$\s+/, '').split(/&&|;|\|\|/)) if (/^\s*npm\s/.test(c)) out.push(c.trim().replace(/\s+/g, ' '));
  }
  return out;
}

const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
const stages = parseDockerfile(dockerfile);
const build = stages.find((s) => s.name === 'build');
const runtime = stages.at(-1)!;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  exports: Record<string, string | { default?: string }>;
};
const runs = (s: Stage | undefined): string[] => (s?.instrs ?? []).filter((i) => i.op === 'RUN').map((i) => i.args);
const ignored = readFileSync(join(root, '.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));

/** Every .js file under `dir`. */
function jsFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.js'))
    .map((f) => join(dir, f));
}

/** The runtime stage's CMD as words. */
const cmd = words(runtime.instrs.find((i) => i.op === 'CMD')!.args);

t.test('Dockerfile has a build stage and a slim runtime stage', { timeout: 5_000 }, async (t) => {
  t.equal(stages.length, 2);
  t.ok(build, 'a stage named build');
  t.match(build!.from, /^node:20/);
  t.equal(runtime.from, 'node:20-slim');
});

t.test('Dockerfile build stage runs the install and build commands the README gives', { timeout: 5_000 }, async (t) => {
  const readme = readmeNpmCommands();
  const scriptOf = (c: string): string | undefined => {
    const w = c.split(' ');
    return w[1] === 'run' ? w[2] : w[1] === 'test' || w[1] === 'start' ? w[1] : undefined;
  };
  // Install: the image uses `npm ci` (exactly the lockfile); the README gives `npm ci` or `npm install`.
  t.ok(runs(build).some((r) => /^npm ci\b/.test(r)), 'build stage runs npm ci');
  t.ok(readme.some((c) => /^npm (ci|install|i)\b/.test(c)), `README gives an install command (${readme.join(' | ')})`);
  // Build: the image runs `npm run build`; the README runs it directly or through a script it names.
  t.ok(runs(build).some((r) => /^npm run build\b/.test(r)), 'build stage runs npm run build');
  t.ok(pkg.scripts.build, 'package.json has a build script');
  const buildsViaReadme = readme.some((c) => {
    const s = scriptOf(c);
    return s === 'build' || (s !== undefined && /\bnpm run build\b/.test(pkg.scripts[s] ?? ''));
  });
  t.ok(buildsViaReadme, 'README gives npm run build, or a script that runs it');
  // The runtime stage installs production dependencies only, and takes no node_modules from build.
  t.ok(runs(runtime).some((r) => /^npm ci\b.*--omit=dev/.test(r)), 'runtime stage runs npm ci --omit=dev');
  t.notOk(runtime.instrs.some((i) => i.op === 'COPY' && /node_modules/.test(i.args)), 'no node_modules copied');
});

t.test('Dockerfile COPY sources exist and are not excluded by .dockerignore', { timeout: 5_000 }, async (t) => {
  for (const s of stages) {
    for (const i of s.instrs.filter((x) => x.op === 'COPY')) {
      const { from, srcs } = copyParts(i.args);
      for (const src of srcs) {
        if (from === undefined) {
          t.ok(existsSync(join(root, src)), `line ${i.line}: ${src} exists in the repository`);
          const top = src.replace(/^\.\//, '').split('/')[0]!;
          t.notOk(ignored.includes(top) || ignored.includes(src), `line ${i.line}: ${src} is not in .dockerignore`);
        } else {
          // A path produced in another stage: its WORKDIR is /app, the repository root here.
          t.equal(from, 'build');
          t.match(src, /^\/app\//);
          t.ok(existsSync(join(root, src.slice('/app/'.length))), `line ${i.line}: ${src} exists after npm run build`);
        }
      }
    }
  }
});

t.test('Dockerfile build stage, replayed with only the files it COPYs, builds what the runtime stage copies', { timeout: 90_000 }, async (t) => {
  // Replay: WORKDIR /app is a temp dir; COPY copies from the repository; `npm ci` is stood in for
  // by a link to the installed node_modules (same lockfile); `npm run build` runs for real.
  const app = mkdtempSync(join(tmpdir(), 'strand-docker-'));
  t.teardown(() => rmSync(app, { recursive: true, force: true }));
  for (const i of build!.instrs) {
    if (i.op === 'COPY') {
      const { srcs, dest } = copyParts(i.args);
      for (const src of srcs) {
        const into = dest.endsWith('/') || srcs.length > 1 ? join(app, dest, posix.basename(src)) : join(app, dest);
        mkdirSync(dirname(into), { recursive: true });
        cpSync(join(root, src), into, { recursive: true });
      }
    } else if (i.op === 'RUN' && /^npm ci\b/.test(i.args)) {
      symlinkSync(join(root, 'node_modules'), join(app, 'node_modules'), 'dir');
    } else if (i.op === 'RUN') {
      t.match(i.args, /^npm run build$/, `line ${i.line}: the only other RUN is the build`);
      const r = await new Promise<{ code: number; out: string }>((resolve) =>
        execFile('npm', ['run', 'build'], { cwd: app, timeout: 80_000 }, (err, stdout, stderr) =>
          resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, out: stdout + stderr }),
        ),
      );
      t.equal(r.code, 0, `npm run build succeeds with only the copied files\n${r.code ? r.out : ''}`);
    }
  }
  for (const i of runtime.instrs.filter((x) => x.op === 'COPY')) {
    const { from, srcs } = copyParts(i.args);
    if (from === 'build') for (const src of srcs) t.ok(existsSync(join(app, src.slice('/app/'.length))), `line ${i.line}: ${src} built`);
  }
  t.ok(existsSync(join(app, cmd[1]!)), `${cmd[1]} built`);
});


t.test('Dockerfile CMD starts the chat on 0.0.0.0 from a file that exists after npm run build', { timeout: 5_000 }, async (t) => {
  t.equal(cmd[0], 'node');
  const entry = cmd[1]!;
  t.equal(entry, 'dist/examples/chat/main.js');
  t.ok(existsSync(join(root, entry)), `${entry} exists after npm run build`);
  const copiedDests = runtime.instrs
    .filter((i) => i.op === 'COPY')
    .map((i) => posix.normalize(copyParts(i.args).dest).replace(/^\.?\/?/, ''));
  t.ok(copiedDests.some((d) => entry.startsWith(d + '/')), `${entry} is inside what the runtime stage copies`);
  t.same(cmd.slice(2), ['--host', '0.0.0.0']);
  t.ok(runtime.instrs.some((i) => i.op === 'USER' && !/^(root|0)$/.test(i.args)), 'runs as a non-root user');
  const expose = runtime.instrs.filter((i) => i.op === 'EXPOSE').flatMap((i) => i.args.split(/\s+/));
  t.same(expose.sort(), ['7070', '8080']);
});

t.test('Dockerfile runtime image needs only production dependencies (what npm ci --omit=dev installs)', { timeout: 20_000 }, async (t) => {
  // Every bare import of the JavaScript the runtime stage copies from the build must be a Node
  // built-in or a package in "dependencies" (devDependencies are not installed there) — or the
  // package's own name (the examples import `strand/net` as a user would), which Node resolves
  // through package.json "exports" to a file the runtime stage must have copied from the build.
  const builtins = new Set(builtinModules);
  const missing = new Set<string>();
  const copied: string[] = [];
  const selfRefs = new Map<string, string>();
  let files = 0;
  for (const i of runtime.instrs.filter((x) => x.op === 'COPY')) {
    const { from, srcs } = copyParts(i.args);
    if (from !== 'build') continue;
    for (const src of srcs) {
      copied.push(src.slice('/app/'.length));
      for (const f of jsFiles(join(root, src.slice('/app/'.length)))) {
        files++;
        const info = ts.preProcessFile(readFileSync(f, 'utf8'), true, true);
        for (const { fileName: spec } of info.importedFiles) {
          if (spec.startsWith('.') || spec.startsWith('node:') || builtins.has(spec.split('/')[0]!)) continue;
          const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
          if (name === pkg.name) selfRefs.set(spec, f.slice(root.length + 1));
          else if (!(name in pkg.dependencies)) missing.add(`${name} (${f.slice(root.length + 1)})`);
        }
      }
    }
  }
  for (const [spec, f] of selfRefs) {
    const e = pkg.exports['.' + spec.slice(pkg.name.length)];
    const target = (typeof e === 'string' ? e : e?.default)?.replace(/^\.\//, '');
    const ok = target !== undefined && copied.some((c) => target.startsWith(c.replace(/\/?$/, '/'))) && existsSync(join(root, target));
    if (!ok) missing.add(`${spec} (${f}): not an "exports" entry the runtime stage copies`);
  }
  t.ok(files > 0, `${files} files checked`);
  t.same([...missing], [], 'no import outside "dependencies"');
});

t.test('Dockerfile HEALTHCHECK URL answers 2xx from the chat started as CMD starts it', { timeout: 20_000 }, async (t) => {
  const hc = runtime.instrs.find((i) => i.op === 'HEALTHCHECK');
  t.ok(hc, 'a HEALTHCHECK');
  const url = /(http:\/\/127\.0\.0\.1:8080\/\S*?)['"]/.exec(hc!.args)?.[1];
  t.ok(url, `the HEALTHCHECK fetches the chat's HTTP port (${url})`);
  const path = new URL(url!).pathname;
  // Same entry point and flags as CMD, but on loopback with free ports (tests never bind 0.0.0.0).
  const child = spawn(process.execPath, [cmd[1]!, '--host', '127.0.0.1', '--tcp', '127.0.0.1:0', '--http', '127.0.0.1:0'], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d));
  const httpURL = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      const m = /"http":"(http:\/\/127\.0\.0\.1:\d+)\/?"/.exec(out);
      if (m) resolve(m[1]!);
    });
    void exited.then((code) => reject(new Error(`chat exited (${code}) before listening:\n${out}\n${err}`)));
  });
  const res = await fetch(httpURL + path);
  await res.arrayBuffer();
  t.ok(res.ok, `GET ${path} → ${res.status}`);
  child.kill('SIGTERM');
  t.equal(await exited, 0, 'the chat stops cleanly on SIGTERM (docker stop)');
});
