/**
 * The load-test harness: `npm run load [-- NAME...] [--quick]`.
 *
 * Runs each scenario (load-tests/<name>/scenario.ts, exporting `run: Scenario`) one after the
 * other, in one process: runtime, echo, http, chat by default, or the names given. A scenario
 * starts its servers (strand and its baselines) through `lib/server.ts`, measures them side by
 * side and returns rows; the harness validates them and writes, per scenario,
 * `results/<name>.json`, `<name>.md` and `<name>.svg`, then regenerates `results/README.md` from
 * every JSON file present. `--quick` runs a short smoke version of each (correctness only; the
 * whole suite well under a minute) into `results/quick/`.
 *
 * A scenario whose module is not there (not written yet) is reported as "not available" and does
 * not fail the run; one that throws, returns a malformed result or overruns its time bound fails
 * it (exit status 1). Every server a scenario started is killed when the harness exits.
 *
 * Progress (scenario logs, autocannon's bar) is shown on a terminal; with CI set or stdout not a
 * terminal the harness prints only one line per scenario and the tables.
 *
 * @module
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isInteractive, repoRoot } from './lib/env.js';
import { killAllServers } from './lib/server.js';
import { SCENARIO_ORDER, validateResult, writeResultsIndex, writeScenarioResults } from './lib/results.js';
import type { Scenario, ScenarioResult } from './lib/types.js';

const USAGE = `usage: npm run load -- [NAME...] [--quick] [--out DIR] [--timeout SEC] [--verbose]

Runs the load-test scenarios side by side with their baselines and writes
load-tests/results/<name>.{json,md,svg} and load-tests/results/README.md.

  NAME          scenarios to run (default: all: ${SCENARIO_ORDER.join(', ')})
  --quick       short smoke run of each (correctness only), into load-tests/results/quick/
  --out DIR     write results into DIR instead
  --timeout SEC bound on each scenario (default 120 with --quick, 1800 otherwise)
  --verbose     show scenario progress even when not on a terminal
  --parallel    run the scenarios at the same time (only with --quick: smoke runs, no measurement)
  --scenarios DIR  load scenarios from DIR/<name>/scenario.js (default: next to this file)
  --help        this text`;

/** A path for messages: relative to the working directory when inside it, absolute otherwise. */
function _show(p: string): string {
  const r = relative(process.cwd(), p);
  return r === '' ? '.' : r.startsWith('..') ? p : r;
}

/** Parsed command line. */
interface _Args {
  names: string[];
  quick: boolean;
  out: string | undefined;
  timeoutSec: number | undefined;
  verbose: boolean;
  parallel: boolean;
  scenarios: string;
}

/** What happened to one scenario. */
type _Outcome = 'done' | 'not available' | 'failed';

function _parse(argv: string[]): _Args {
  const a: _Args = {
    names: [],
    quick: false,
    out: undefined,
    timeoutSec: undefined,
    verbose: false,
    parallel: false,
    scenarios: dirname(fileURLToPath(import.meta.url)),
  };
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${x} needs a value`);
      return v;
    };
    if (x === '--quick') a.quick = true;
    else if (x === '--verbose' || x === '-v') a.verbose = true;
    else if (x === '--parallel') a.parallel = true;
    else if (x === '--out') a.out = resolve(value());
    else if (x === '--scenarios') a.scenarios = resolve(value());
    else if (x === '--timeout') {
      a.timeoutSec = Number(value());
      if (!(a.timeoutSec > 0)) throw new Error('--timeout needs a positive number of seconds');
    } else if (x === '--help' || x === '-h') {
      process.stdout.write(USAGE + '\n');
      process.exit(0);
    } else if (x.startsWith('-')) throw new Error(`unknown option ${x}`);
    else if (!/^[a-z0-9][a-z0-9_-]*$/i.test(x)) throw new Error(`bad scenario name ${JSON.stringify(x)}`);
    else a.names.push(x);
  }
  return a;
}

/** The default scenario list: the known four, then any other folder with a scenario module. */
function _allNames(root: string): string[] {
  const names: string[] = [...SCENARIO_ORDER];
  let dirs: string[] = [];
  try {
    dirs = readdirSync(root, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'scenario.js')))
      .map((d) => d.name)
      .sort();
  } catch {
    // no such directory: only the known names, each reported as not available
  }
  for (const d of dirs) if (!names.includes(d)) names.push(d);
  return names;
}

/** Runs `p`, failing after `ms`. */
async function _bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([p, limit]);
  } finally {
    clearTimeout(timer);
  }
}

async function main(): Promise<number> {
  let args: _Args;
  try {
    args = _parse(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`load-tests: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.parallel && !args.quick) {
    process.stderr.write('load-tests: --parallel is for --quick smoke runs only (scenarios sharing the CPU measure nothing)\n');
    return 2;
  }
  const interactive = isInteractive();
  const chatty = interactive || args.verbose;
  const root = repoRoot();
  const outDir = args.out ?? join(root, 'load-tests', 'results', ...(args.quick ? ['quick'] : []));
  const timeoutMs = (args.timeoutSec ?? (args.quick ? 120 : 1800)) * 1000;
  const names = args.names.length ? args.names : _allNames(args.scenarios);

  const unknown = args.names.filter(
    (n) => !(SCENARIO_ORDER as readonly string[]).includes(n) && !existsSync(join(args.scenarios, n, 'scenario.js')),
  );
  if (unknown.length) {
    process.stderr.write(`load-tests: no scenario named ${unknown.join(', ')} (known: ${_allNames(args.scenarios).join(', ')})\n`);
    return 2;
  }

  const outcomes: [string, _Outcome, string][] = [];
  const say = (s: string): void => void process.stdout.write(s + '\n');
  say(`load-tests: ${args.quick ? 'quick smoke run of' : 'running'} ${names.join(', ')} → ${_show(outDir)}`);

  /** Runs one scenario; its report lines go through `out` (printed at once, or when it ends). */
  const runOne = async (name: string, out: (s: string) => void): Promise<_Outcome | 'timeout'> => {
    const file = join(args.scenarios, name, 'scenario.js');
    if (!existsSync(file)) {
      out(`load-tests: ${name}: not available (no ${_show(file)} yet)`);
      return 'not available';
    }
    const started = performance.now();
    const log = chatty ? (msg: string) => void process.stderr.write(`  [${name}] ${msg}\n`) : () => {};
    let result: ScenarioResult;
    try {
      const mod = (await import(pathToFileURL(file).href)) as { run?: Scenario };
      if (typeof mod.run !== 'function') throw new Error(`${file} does not export run: Scenario`);
      if (chatty) out(`load-tests: ${name}: started`);
      result = await _bounded(mod.run({ quick: args.quick, log, resultsDir: outDir, interactive }), timeoutMs, `scenario ${name}`);
      const problems = validateResult(result, name);
      if (problems.length) throw new Error(`malformed result:\n  - ${problems.join('\n  - ')}`);
    } catch (e) {
      const msg = e instanceof Error ? (e.stack ?? e.message) : String(e);
      process.stderr.write(`load-tests: ${name}: FAILED: ${msg}\n`);
      return /did not finish within/.test(String((e as Error)?.message)) ? 'timeout' : 'failed';
    }
    const durationSec = (performance.now() - started) / 1000;
    const command = `npm run load -- ${name}${args.quick ? ' --quick' : ''}`;
    try {
      await writeScenarioResults(outDir, result, { quick: args.quick, command, durationSec });
    } catch (e) {
      process.stderr.write(`load-tests: ${name}: writing results failed: ${(e as Error).stack}\n`);
      return 'failed';
    }
    out(`load-tests: ${name}: done in ${durationSec.toFixed(1)} s → ${_show(join(outDir, name))}.{json,md,svg}`);
    out('');
    out(result.table.trimEnd());
    if (result.notes.length) out('\n' + result.notes.map((n) => `- ${n}`).join('\n'));
    out('');
    return 'done';
  };

  if (args.parallel) {
    // Smoke runs only (speed is meaningless when scenarios share the CPU): all at once, each
    // one's report printed as a block when it ends.
    const results = await Promise.all(
      names.map(async (name) => {
        const lines: string[] = [];
        const o = await runOne(name, (l) => lines.push(l));
        say(lines.join('\n'));
        return [name, o] as const;
      }),
    );
    for (const [name, o] of results) outcomes.push([name, o === 'timeout' ? 'failed' : o, '']);
    if (results.some(([, o]) => o !== 'done' && o !== 'not available')) killAllServers();
  } else {
    for (const name of names) {
      const o = await runOne(name, say);
      outcomes.push([name, o === 'timeout' ? 'failed' : o, '']);
      if (o === 'failed' || o === 'timeout') killAllServers();
      if (o === 'timeout') {
        // Its code may still be running: stop here rather than measure the next one beside it.
        process.stderr.write('load-tests: stopping after a timed-out scenario\n');
        break;
      }
    }
  }

  const page = writeResultsIndex(outDir);
  say(`load-tests: results page ${_show(join(outDir, 'README.md'))} (${page.join(', ') || 'empty'})`);
  const failed = outcomes.filter((o) => o[1] === 'failed');
  const missing = outcomes.filter((o) => o[1] === 'not available');
  say(
    `load-tests: ${outcomes.filter((o) => o[1] === 'done').length} done, ${failed.length} failed` +
      (missing.length ? `, not available: ${missing.map((o) => o[0]).join(', ')}` : ''),
  );
  return failed.length || outcomes.length < names.length ? 1 : 0;
}

// `npm run load | head` closes stdout early: that is not an error of the run.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
});

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`load-tests: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
