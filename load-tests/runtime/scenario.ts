/**
 * The runtime benchmark (`npm run bench`): strand's channels and goroutines side by side with a
 * bare-promise floor, the JavaScript CSP libraries that install (js-csp, medium, @thi.ng/csp,
 * ts-chan) and Go (when a `go` toolchain is present).
 *
 * Cases (DESIGN.md "Goroutines", issue 2 "Benchmark"):
 * - unbuffered ping-pong between two goroutines, ns per round trip;
 * - buffered (capacity 1024) producer/consumer, ns per value;
 * - select over two always-ready channels (the chosen one is refilled), ns per select, with the
 *   per-case counts (must be uniform);
 * - 100,000 goroutines parked on receive (1,000 per channel): heap bytes per goroutine after GC,
 *   spawn time;
 * - 1,000,000 parked goroutines: total heap and time (strand, the floor and Go).
 *
 * strand runs in both styles the DESIGN names: try-first (`strand`: a try form, `await` only on
 * would-block) and await-every-op (`strand-await`); the floor too (`floor`, `floor-await`).
 * Every measurement runs in a fresh child process (worker.ts, or the Go binary) so
 * implementations share no JIT state or heap; repetitions are interleaved across
 * implementations and the table shows medians.
 *
 * Run through the harness (`npm run bench`, `npm run load -- runtime [--quick]`) or directly:
 * `node dist/load-tests/runtime/scenario.js [--quick]` (writes load-tests/results/runtime.json).
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildGo, goBinDir, goToolchain, machineInfo, markdownTable, medianMetrics, repoRoot, formatNumber } from '../lib/index.js';
import type { Row, Scenario, ScenarioOptions, ScenarioResult } from '../lib/types.js';
import { attribution } from '../../src/index.js';

type SpeedCase = 'pingpong' | 'buffered' | 'select';

const SPEED_CASES: { key: SpeedCase; name: string; unit: string; limit: number }[] = [
  { key: 'pingpong', name: 'unbuffered ping-pong', unit: 'ns/round trip', limit: 290 },
  { key: 'buffered', name: 'buffered (cap 1024) producer/consumer', unit: 'ns/value', limit: 150 },
  { key: 'select', name: 'select over two ready channels', unit: 'ns/select', limit: 140 },
];

/**
 * How this Node line identifies goroutines (goroutine.ts): where it is AsyncContextFrame, strand
 * is also measured with the resume hook forced (`-hook`), the mechanism of Node 20, side by side.
 */
const MECHANISM = attribution();
const HOOK_IMPLS = MECHANISM === 'async-context-frame' ? (['strand-hook', 'strand-await-hook'] as const) : ([] as const);
/** JavaScript implementations measured on the speed cases. */
const JS_IMPLS = ['strand', 'strand-await', ...HOOK_IMPLS, 'floor', 'floor-await', 'js-csp', 'medium', '@thi.ng/csp', 'ts-chan'] as const;
/** Peers whose select is a real one (send and receive cases, uniform, withdraws the losers). */
const REAL_SELECT_PEERS = ['js-csp', 'medium', 'ts-chan'];
/** Implementations measured with parked goroutines (the await style parks the same way). */
const QUICK_IMPLS = ['strand', 'strand-await', 'floor', 'floor-await'] as const; // a smoke run: no -hook rows
const PARKED_IMPLS = ['strand', 'floor', 'js-csp', 'medium', '@thi.ng/csp', 'ts-chan'] as const;
const HUGE_IMPLS = ['strand', 'floor'] as const;

interface ChildOut {
  metrics: Record<string, number> | null;
  error?: string;
}

/** Runs one measurement in a child process and parses the JSON line it prints. */
function runChild(cmd: string, args: string[], timeoutMs: number): Promise<ChildOut> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, STRAND_DEBUG: '' } });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ metrics: null, error: e.message });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop() ?? '';
      try {
        if (code !== 0) throw new Error(`exit ${code ?? signal}`);
        resolve({ metrics: JSON.parse(line) as Record<string, number> });
      } catch (e) {
        resolve({ metrics: null, error: `${(e as Error).message}: ${err.trim().split('\n').slice(-3).join(' | ')}` });
      }
    });
  });
}

/** Parameters of one run. */
interface Params {
  reps: number;
  targetMs: number;
  parkedN: number;
  parkedReps: number;
  hugeN: number;
  hugeReps: number;
}

function params(quick: boolean): Params {
  return quick
    ? { reps: 1, targetMs: 30, parkedN: 10_000, parkedReps: 1, hugeN: 0, hugeReps: 0 }
    : { reps: 5, targetMs: 300, parkedN: 100_000, parkedReps: 5, hugeN: 1_000_000, hugeReps: 3 };
}

/** The benchmark entry point (harness contract). */
export const run: Scenario = async (opts: ScenarioOptions): Promise<ScenarioResult> => {
  const p = params(opts.quick);
  const notes: string[] = [];
  const worker = fileURLToPath(new URL('./worker.js', import.meta.url));
  const nodeArgs = ['--expose-gc'];

  // Go peer.
  let goBin: string | null = null;
  const tc = goToolchain();
  if (tc.available) {
    try {
      goBin = await buildGo(join(repoRoot(), 'load-tests', 'peers', 'go', 'runtime'), goBinDir());
    } catch (e) {
      notes.push(`Go peer skipped: ${(e as Error).message}`);
    }
  } else {
    notes.push(`Go peer skipped: ${tc.reason}`);
  }

  const samples = new Map<string, Record<string, number>[]>(); // `${case}\0${impl}` → reps
  const add = (kase: string, impl: string, m: Record<string, number> | null, error?: string): void => {
    if (m === null) {
      const msg = `${impl} failed on ${kase}: ${error}`;
      if (!notes.includes(msg)) notes.push(msg);
      return;
    }
    const k = `${kase}\0${impl}`;
    if (!samples.has(k)) samples.set(k, []);
    samples.get(k)!.push(m);
  };

  // Speed cases: repetitions interleaved across implementations.
  for (let rep = 0; rep < p.reps; rep++) {
    for (const c of SPEED_CASES) {
      // Quick mode is a smoke test of the harness: strand and the floor only (plus Go if built).
      for (const impl of opts.quick ? QUICK_IMPLS : JS_IMPLS) {
        opts.log(`runtime: ${c.key} ${impl} (rep ${rep + 1}/${p.reps})`);
        const r = await runChild(process.execPath, [...nodeArgs, worker, impl, c.key, String(p.targetMs)], 180_000);
        add(c.name, impl, r.metrics, r.error);
      }
      if (goBin !== null) {
        const r = await runChild(goBin, [c.key, String(p.targetMs)], 120_000);
        add(c.name, 'go', r.metrics, r.error);
      }
    }
  }

  // Parked goroutines.
  const parkedName = `${formatNumber(p.parkedN)} parked goroutines`;
  for (let rep = 0; rep < p.parkedReps; rep++) {
    for (const impl of opts.quick ? (['strand', 'floor'] as const) : PARKED_IMPLS) {
      opts.log(`runtime: parked ${p.parkedN} ${impl} (rep ${rep + 1}/${p.parkedReps})`);
      const r = await runChild(process.execPath, [...nodeArgs, worker, impl, 'parked', String(p.parkedN)], 300_000);
      add(parkedName, impl, r.metrics, r.error);
    }
    if (goBin !== null) add(parkedName, 'go', ...unpack(await runChild(goBin, ['parked', String(p.parkedN)], 300_000)));
  }
  const hugeName = `${formatNumber(p.hugeN)} parked goroutines`;
  for (let rep = 0; rep < p.hugeReps; rep++) {
    for (const impl of HUGE_IMPLS) {
      opts.log(`runtime: parked ${p.hugeN} ${impl} (rep ${rep + 1}/${p.hugeReps})`);
      const r = await runChild(process.execPath, [...nodeArgs, '--max-old-space-size=16384', worker, impl, 'parked', String(p.hugeN)], 900_000);
      add(hugeName, impl, r.metrics, r.error);
    }
    if (goBin !== null) add(hugeName, 'go', ...unpack(await runChild(goBin, ['parked', String(p.hugeN)], 900_000)));
  }

  // Medians → rows.
  const rows: Row[] = [];
  for (const [k, reps] of samples) {
    const [kase, impl] = k.split('\0') as [string, string];
    const m = medianMetrics(reps);
    if (m.count_0 !== undefined && m.count_1 !== undefined) m.share_0_pct = (100 * m.count_0) / (m.count_0 + m.count_1);
    m.reps = reps.length;
    rows.push({ case: kase, impl, metrics: m });
  }
  const find = (kase: string, impl: string): Record<string, number> | undefined => rows.find((r) => r.case === kase && r.impl === impl)?.metrics;

  // Ratios and target verdicts.
  const verdicts: string[] = [];
  for (const c of SPEED_CASES) {
    const go = find(c.name, 'go')?.ns_per_op;
    const floor = find(c.name, 'floor')?.ns_per_op;
    const floorAwait = find(c.name, 'floor-await')?.ns_per_op;
    const realPeers = REAL_SELECT_PEERS.map((i) => find(c.name, i)?.ns_per_op).filter((x): x is number => x !== undefined);
    const fastestPeer = realPeers.length > 0 ? Math.min(...realPeers) : undefined;
    for (const r of rows.filter((r) => r.case === c.name)) {
      const ns = r.metrics.ns_per_op;
      if (ns === undefined) continue;
      if (go !== undefined) r.metrics.x_go = ns / go;
      const fl = r.impl.includes('-await') ? floorAwait : floor;
      if (fl !== undefined && r.impl.startsWith('strand')) r.metrics.x_floor = ns / fl;
      if (fastestPeer !== undefined) r.metrics.x_fastest_real_select_peer = ns / fastestPeer;
      if (r.impl.startsWith('strand-await')) r.metrics.x_limit = ns / c.limit;
    }
    const s = find(c.name, 'strand');
    const sa = find(c.name, 'strand-await');
    if (s?.ns_per_op !== undefined && go !== undefined) {
      const bound = c.key === 'pingpong' ? 1 : c.key === 'buffered' ? 2 : 2.5;
      verdicts.push(`${c.name}: strand (try-first) ${formatNumber(s.ns_per_op)} ${c.unit} = ${(s.ns_per_op / go).toFixed(2)}× Go (target ≤ ${bound}×): ${s.ns_per_op / go <= bound ? 'met' : 'MISSED'}`);
    }
    if (c.key === 'pingpong' && s?.ns_per_op !== undefined && fastestPeer !== undefined) {
      verdicts.push(`${c.name}: strand = ${(s.ns_per_op / fastestPeer).toFixed(3)}× the fastest JS peer with a real select (target ≤ 0.5×): ${s.ns_per_op / fastestPeer <= 0.5 ? 'met' : 'MISSED'}`);
    }
    if (c.key === 'pingpong' && sa?.ns_per_op !== undefined && floorAwait !== undefined) {
      // Issue 9's target on AsyncContextFrame lines: the await style within 1.1× the bare-promise
      // await floor (CPU time too, which a busy machine disturbs less than wall time).
      const x = sa.ns_per_op / floorAwait;
      const fa = find(c.name, 'floor-await')?.cpu_ns_per_op;
      const cpu = sa.cpu_ns_per_op !== undefined && fa !== undefined ? `; CPU ${(sa.cpu_ns_per_op / fa).toFixed(2)}×` : '';
      verdicts.push(`${c.name}: strand-await = ${x.toFixed(2)}× the bare-promise await floor${cpu} (target ≤ 1.1× with ${MECHANISM}): ${x <= 1.1 ? 'met' : 'MISSED'}`);
    }
    if (sa?.ns_per_op !== undefined) {
      verdicts.push(`${c.name}: strand-await ${formatNumber(sa.ns_per_op)} ${c.unit} = ${(sa.ns_per_op / c.limit).toFixed(2)}× the DESIGN limit ${c.limit} ns (target ≤ 1.1×): ${sa.ns_per_op / c.limit <= 1.1 ? 'met' : 'MISSED'}`);
    }
    if (c.key === 'select') {
      for (const r of rows.filter((r) => r.case === c.name && r.metrics.share_0_pct !== undefined)) {
        const dev = Math.abs(r.metrics.share_0_pct! - 50);
        if (dev > uniformBound(r.metrics)) notes.push(`${r.impl}: select is not uniform over two ready channels (case 0 chosen ${r.metrics.share_0_pct!.toFixed(1)}% of the time).`);
      }
      const share = s?.share_0_pct;
      if (share !== undefined) {
        const bound = uniformBound(s!);
        verdicts.push(`select uniformity: strand chose case 0 in ${share.toFixed(2)}% of ${formatNumber(s!.count_0! + s!.count_1!)} selects (uniform: 50% ± ${bound.toFixed(2)}): ${Math.abs(share - 50) <= bound ? 'met' : 'MISSED'}`);
      }
    }
  }
  const parkedStrand = find(parkedName, 'strand');
  if (parkedStrand !== undefined) {
    const b = parkedStrand.bytes_per_g!;
    const goB = find(parkedName, 'go')?.bytes_per_g;
    verdicts.push(
      `${parkedName}: strand ${formatNumber(b)} bytes per parked goroutine (target ≤ 800${goB !== undefined ? `; Go ${formatNumber(goB)}` : ''}): ${b <= 800 ? 'met' : 'MISSED'}; spawn ${formatNumber(parkedStrand.spawn_ms!)} ms`,
    );
  }
  const hugeStrand = find(hugeName, 'strand');
  if (hugeStrand !== undefined) {
    verdicts.push(`${hugeName}: strand completed, heap ${formatNumber(hugeStrand.heap_mb!)} MB, spawn ${formatNumber(hugeStrand.spawn_ms!)} ms, release ${formatNumber(hugeStrand.release_ms!)} ms`);
  } else if (!opts.quick) {
    verdicts.push(`${hugeName}: strand did NOT complete (see notes)`);
  }

  const table = renderTable(rows, [parkedName, hugeName]);
  notes.unshift(`Node ${process.version}; goroutine attribution: ${MECHANISM}${HOOK_IMPLS.length > 0 ? ' (rows ending in -hook force the resume hook, the Node 20 mechanism, for comparison)' : ''}.`, ...verdicts);
  notes.push(
    'Each cell is the median of the repetitions (each in a fresh process); speed cases warm up, then report the median of three timed runs.',
    `Parked goroutines wait on receive, ${1000} per channel (js-csp and @thi.ng/csp cap pending takes at 1024 per channel); heap is V8 heapUsed after GC (Go: HeapInuse + StackInuse).`,
    'Go runs with its default GOMAXPROCS (all cores); the JavaScript implementations run on one thread. CPU ns/op is the CPU time of the whole process (all threads, GC included) per operation: less disturbed than wall time when other processes compete for the cores.',
    'The DESIGN limits (290 / 150 / 140 ns) were measured on an idle machine; on a busy one compare the × floor column (same style, same process conditions).',
  );
  for (const impl of ['js-csp', 'medium', '@thi.ng/csp', 'ts-chan'] as const) {
    const mod = await import('./worker.js').then((w) => w.loadImpl(impl)).catch(() => null);
    for (const n of mod?.notes ?? []) notes.push(n);
  }

  return {
    name: 'runtime',
    params: { ...p, node: process.version, attribution: MECHANISM, go: tc.available ? tc.short : null, machine: machineInfo().cpuModel },
    rows,
    chartMetric: 'ns_per_op',
    lowerIsBetter: true,
    baseline: goBin !== null ? 'go' : 'floor',
    table,
    notes,
  };
};

/** Allowed deviation (percentage points) of a fair coin's share: 4 standard deviations, at least 0.5. */
function uniformBound(m: Record<string, number>): number {
  const n = (m.count_0 ?? 0) + (m.count_1 ?? 0);
  return n > 0 ? Math.max(0.5, (4 * 50) / Math.sqrt(n)) : Infinity;
}

function unpack(r: ChildOut): [Record<string, number> | null, string | undefined] {
  return [r.metrics, r.error];
}

const IMPL_ORDER = ['strand', 'strand-await', 'strand-hook', 'strand-await-hook', 'floor', 'floor-await', 'go', 'js-csp', 'medium', '@thi.ng/csp', 'ts-chan'];

function ratio(x: number | undefined): string {
  return x === undefined ? '' : `${x.toFixed(2)}×`;
}

/** The markdown tables: speed cases, then parked goroutines. */
function renderTable(rows: Row[], parkedCases: string[]): string {
  const order = (a: Row, b: Row): number => IMPL_ORDER.indexOf(a.impl) - IMPL_ORDER.indexOf(b.impl);
  const speed = SPEED_CASES.flatMap((c) =>
    rows
      .filter((r) => r.case === c.name)
      .sort(order)
      .map((r) => ({
        case: c.name,
        impl: r.impl,
        value: `${formatNumber(r.metrics.ns_per_op)} ${c.unit}`,
        cpu: formatNumber(r.metrics.cpu_ns_per_op),
        x_go: ratio(r.metrics.x_go),
        x_floor: ratio(r.metrics.x_floor),
        x_peer: ratio(r.metrics.x_fastest_real_select_peer),
        x_limit: ratio(r.metrics.x_limit),
        counts: r.metrics.count_0 !== undefined ? `${formatNumber(r.metrics.count_0)} / ${formatNumber(r.metrics.count_1)} (${r.metrics.share_0_pct!.toFixed(1)}%)` : '',
      })),
  );
  const t1 = markdownTable(speed, [
    { key: 'case', title: 'case' },
    { key: 'impl', title: 'implementation' },
    { key: 'value', title: 'median (wall)', align: 'right' },
    { key: 'cpu', title: 'CPU ns/op', align: 'right' },
    { key: 'x_go', title: '× Go', align: 'right' },
    { key: 'x_floor', title: '× floor (same style)', align: 'right' },
    { key: 'x_peer', title: '× fastest real-select JS peer', align: 'right' },
    { key: 'x_limit', title: '× DESIGN await limit', align: 'right' },
    { key: 'counts', title: 'select case 0 / 1 (share 0)', align: 'right' },
  ]);
  const parked = parkedCases.flatMap((name) =>
    rows
      .filter((r) => r.case === name)
      .sort(order)
      .map((r) => ({
        case: name,
        impl: r.impl,
        bytes: formatNumber(r.metrics.bytes_per_g),
        heap: formatNumber(r.metrics.heap_mb),
        spawn: formatNumber(r.metrics.spawn_ms),
        release: formatNumber(r.metrics.release_ms),
      })),
  );
  const t2 = markdownTable(parked, [
    { key: 'case', title: 'case' },
    { key: 'impl', title: 'implementation' },
    { key: 'bytes', title: 'bytes / parked goroutine', align: 'right' },
    { key: 'heap', title: 'heap MB', align: 'right' },
    { key: 'spawn', title: 'spawn ms', align: 'right' },
    { key: 'release', title: 'release ms', align: 'right' },
  ]);
  return `${t1}\n\n${t2}`;
}

// Direct run: node dist/load-tests/runtime/scenario.js [--quick]
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const quick = process.argv.includes('--quick');
  const resultsDir = join(repoRoot(), 'load-tests', 'results', ...(quick ? ['quick'] : []));
  const result = await run({ quick, log: (m) => process.stderr.write(m + '\n'), resultsDir });
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, 'runtime.json'), JSON.stringify({ ...result, timestamp: new Date().toISOString(), quick }, null, 2) + '\n');
  process.stdout.write(`${result.table}\n\n${result.notes.map((n) => `- ${n}`).join('\n')}\n`);
}
