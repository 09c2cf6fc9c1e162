/**
 * The scale scenario (`npm run load -- scale`): using both cores. HTTP hello (autocannon -c 100)
 * and 64 B echo round trips (50 connections, load-tests/lib/tcp-client.ts) against:
 *
 * - `strand`: strand/procs at 1 and 2 processes (the http server of ./servers.ts; the echo
 *   example with `--procs N`), sharing the port the way strand/procs picks on this Node;
 * - `node`: raw node:http / a raw callback echo, 1 process, or 2 node:cluster workers sharing
 *   the port the way a Node user would on this line (reusePort where Node has it, else the
 *   cluster primary's round-robin);
 * - `go`: the Go peers at GOMAXPROCS 1 and 2 (when `go` is installed);
 * - where Node has reusePort (22.12+ / 23.1+), also `strand (cluster)` and `node (cluster)` at 2
 *   processes: node:cluster round-robin, the alternative strand/procs did not pick — the
 *   measurement behind that choice.
 *
 * Cases are named by the process count ("HTTP hello -c 100, 2 procs"), so each table row
 * compares implementations at the same count. Server CPU is summed over the whole process tree
 * (supervisor/primary and workers), from /proc: `cpu_pct` (% of one core), `cpu_us_per_req`,
 * and `req_per_cpu_s` (requests or round trips per server CPU-second) — the load generator
 * shares the machine's cores, so throughput alone undersells a server that uses less CPU.
 *
 * Targets (notes, never asserted): strand at 2 processes ≥ 0.95× raw Node at 2 and ≥ 1.1×
 * strand at 1, on HTTP and echo; strand at 2 reported as × Go at GOMAXPROCS 2.
 *
 * @module
 */
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import {
  buildGo,
  distPath,
  freePort,
  goToolchain,
  readProc,
  repoRoot,
  rowsTable,
  runAutocannon,
  spawnServer,
  type Row,
  type Scenario,
  type ServerProcess,
} from '../lib/index.js';
import { runTcpLoad } from '../lib/tcp-client.js';
import { sharing, reusePortAvailable, type Sharing } from '../../src/procs/index.js';

type Kind = 'http' | 'echo';

interface Impl {
  /** Row name: strand, node, go, strand (cluster), node (cluster). */
  name: string;
  procs: number;
  start(kind: Kind, port: number): Promise<ServerProcess>;
}

const RAISE = 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"';

/** Every descendant of `pid` (children, grandchildren...), from /proc's ppid fields. */
function tree(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone
    }
  }
  const out = [pid];
  for (let i = 0; i < out.length; i++) for (const [c, p] of parent) if (p === out[i]) out.push(c);
  return out;
}

/** CPU seconds of a set of processes (those still alive). */
function cpuOf(pids: number[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const p of pids) {
    const r = readProc(p);
    if (r) m.set(p, r.cpuSeconds);
  }
  return m;
}

/** Measures the server tree's CPU over `work`: % of one core, and the process count seen. */
async function withTreeCpu<T>(rootPid: number, work: () => Promise<T>): Promise<{ res: T; cpuPct: number; nprocs: number }> {
  const pids = tree(rootPid);
  const before = cpuOf(pids);
  const t0 = performance.now();
  const res = await work();
  const wall = (performance.now() - t0) / 1000;
  const after = cpuOf(pids);
  let used = 0;
  for (const [p, c] of after) used += c - (before.get(p) ?? c);
  return { res, cpuPct: (used / wall) * 100, nprocs: pids.length };
}

/** Waits until the server tree has at least `n` processes (workers listening comes after). */
async function settle(rootPid: number, n: number, ms = 300): Promise<void> {
  const until = Date.now() + 10_000;
  while (tree(rootPid).length < n && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, ms));
}

export const run: Scenario = async (opts) => {
  const httpSeconds = opts.quick ? 1 : 8;
  const echoMs = opts.quick ? 500 : 6000;
  const warmSeconds = opts.quick ? 0 : 1;
  const notes: string[] = [];
  const servers = distPath('load-tests/scale/servers.js');
  const echoMain = distPath('examples/echo/main.js');
  const share: Sharing = sharing('auto');
  const tmp = join(opts.resultsDir, 'tmp');

  const strand = (name: string, procs: number, sh: Sharing): Impl => ({
    name,
    procs,
    async start(kind, port) {
      const env = { LOG_LEVEL: 'warn', STRAND_PROCS_SHARE: sh };
      if (kind === 'http') {
        return spawnServer(process.execPath, [servers, 'strand', 'http', String(procs), String(port), sh], { readyPort: port, env, name: `${name} http ${procs}` });
      }
      return spawnServer('bash', ['-c', RAISE, process.execPath, echoMain, '--addr', `127.0.0.1:${port}`, '--procs', String(procs)], {
        readyPort: port,
        env,
        name: `${name} echo ${procs}`,
      });
    },
  });
  const node = (name: string, procs: number, sh: Sharing): Impl => ({
    name,
    procs,
    start: (kind, port) =>
      spawnServer('bash', ['-c', RAISE, process.execPath, servers, 'node', kind, String(procs), String(port), sh], { readyPort: port, name: `${name} ${kind} ${procs}` }),
  });

  // Quick mode (a smoke run of a few seconds inside `npm test`): strand and raw Node at 2
  // processes only, no Go.
  const counts = opts.quick ? [2] : [1, 2];
  const impls: Impl[] = [];
  for (const n of counts) {
    impls.push(strand('strand', n, share), node('node', n, share));
  }
  if (reusePortAvailable() && !opts.quick) impls.push(strand('strand (cluster)', 2, 'cluster'), node('node (cluster)', 2, 'cluster'));

  const tc = goToolchain();
  if (opts.quick) {
    notes.push('Go peers skipped in quick mode');
  } else if (tc.available) {
    try {
      const bins = {
        http: await buildGo(join(repoRoot(), 'load-tests/peers/go/http'), join(tmp, 'go')),
        echo: await buildGo(join(repoRoot(), 'load-tests/peers/go/echo'), join(tmp, 'go')),
      };
      for (const n of [1, 2]) {
        impls.push({
          name: 'go',
          procs: n,
          start: (kind, port) =>
            spawnServer('bash', ['-c', RAISE, bins[kind], kind === 'http' ? String(port) : `127.0.0.1:${port}`], {
              readyPort: port,
              env: { GOMAXPROCS: String(n) },
              name: `go ${kind} GOMAXPROCS ${n}`,
            }),
        });
      }
    } catch (e) {
      notes.push(`Go peer skipped: ${(e as Error).message.split('\n')[0]}`);
    }
  } else {
    notes.push(`Go peer skipped: ${tc.reason}`);
  }

  const caseName = (kind: Kind, procs: number): string =>
    kind === 'http' ? `HTTP hello -c 100, ${procs} proc${procs > 1 ? 's' : ''}` : `echo 64 B, 50 conns, ${procs} proc${procs > 1 ? 's' : ''}`;

  const loadBefore = loadavg()[0]!;
  const rows: Row[] = [];
  for (const kind of ['http', 'echo'] as const) {
    for (const impl of impls) {
      const port = await freePort();
      const srv = await impl.start(kind, port);
      try {
        await settle(srv.pid, impl.name === 'go' ? 1 : impl.procs > 1 ? impl.procs + 1 : 1);
        let ops = 0;
        let p50 = NaN;
        let p99 = NaN;
        let errors = 0;
        let cpuPct: number;
        let nprocs: number;
        if (kind === 'http') {
          const url = `http://127.0.0.1:${port}/`;
          if (warmSeconds > 0) await runAutocannon({ url, connections: 100, duration: warmSeconds });
          const m = await withTreeCpu(srv.pid, () => runAutocannon({ url, connections: 100, duration: httpSeconds, title: `${impl.name} ${impl.procs}` }, { progress: opts.interactive === true }));
          ({ cpuPct, nprocs } = m);
          ops = m.res.rps;
          p50 = m.res.p50_ms;
          p99 = m.res.p99_ms;
          errors = m.res.errors + m.res.timeouts + m.res.non2xx;
        } else {
          if (warmSeconds > 0) await runTcpLoad({ port, conns: 50, mode: 'rtt', size: 64, durationMs: warmSeconds * 1000 });
          const m = await withTreeCpu(srv.pid, () => runTcpLoad({ port, conns: 50, mode: 'rtt', size: 64, durationMs: echoMs }));
          ({ cpuPct, nprocs } = m);
          ops = m.res.ops_s;
          p50 = m.res.p50_ms;
          p99 = m.res.p99_ms;
          errors = m.res.errors;
        }
        if (errors > 0) notes.push(`${caseName(kind, impl.procs)}, ${impl.name}: ${errors} errors`);
        rows.push({
          case: caseName(kind, impl.procs),
          impl: impl.name,
          metrics: {
            ops_s: ops,
            p50_ms: p50,
            p99_ms: p99,
            cpu_pct: cpuPct,
            cpu_us_per_op: cpuPct > 0 ? ((cpuPct / 100) * 1e6) / Math.max(ops, 1) : NaN,
            ops_per_cpu_s: cpuPct > 0 ? ops / (cpuPct / 100) : NaN,
            server_procs: nprocs,
          },
        });
        opts.log(`scale: ${caseName(kind, impl.procs)} ${impl.name}: ${Math.round(ops)}/s, server CPU ${cpuPct.toFixed(0)}% (${nprocs} processes)`);
      } finally {
        await srv.stop();
      }
    }
  }

  // Targets.
  const get = (kind: Kind, procs: number, impl: string): number | undefined => rows.find((r) => r.case === caseName(kind, procs) && r.impl === impl)?.metrics.ops_s;
  for (const kind of ['http', 'echo'] as const) {
    const label = kind === 'http' ? 'HTTP hello' : 'echo 64 B';
    const s2 = get(kind, 2, 'strand');
    const s1 = get(kind, 1, 'strand');
    const n2 = get(kind, 2, 'node');
    const g2 = get(kind, 2, 'go');
    if (s2 !== undefined && n2 !== undefined) {
      const r = s2 / n2;
      notes.push(`${label}: strand procs 2 ${r.toFixed(2)}× raw Node with 2 processes (target ≥ 0.95×)` + (r >= 0.95 ? ' — met' : ' — MISSED'));
    }
    if (s2 !== undefined && s1 !== undefined) {
      const r = s2 / s1;
      notes.push(`${label}: strand procs 2 ${r.toFixed(2)}× strand procs 1 (target ≥ 1.1×)` + (r >= 1.1 ? ' — met' : ' — MISSED'));
    }
    if (s2 !== undefined && g2 !== undefined) notes.push(`${label}: strand procs 2 ${(s2 / g2).toFixed(2)}× Go GOMAXPROCS 2 (aim ≥ 0.9×)`);
    const sc = get(kind, 2, 'strand (cluster)');
    if (s2 !== undefined && sc !== undefined) {
      notes.push(`${label}: strand procs 2 with reusePort ${(s2 / sc).toFixed(2)}× with node:cluster round-robin (${Math.round(s2)} vs ${Math.round(sc)}/s)`);
    }
  }
  notes.push(
    `Port sharing on this Node (${process.version}): ${share}` +
      (share === 'reusePort' ? ' (SO_REUSEPORT: each worker its own accept queue)' : ' (node:cluster: the primary accepts and hands connections round-robin)') +
      '. Server CPU is the sum over the whole server process tree (supervisor or primary included).',
  );
  notes.push(
    'The load generator (autocannon in the harness process, the TCP client in its own) shares the machine\'s cores with the server: ' +
      'with 2 server processes on 2 cores, client and server compete, so throughput understates scaling; ops per server CPU-second is the contention-robust figure.',
  );
  notes.push(`1-minute load average ${loadBefore.toFixed(1)} before the run, ${loadavg()[0]!.toFixed(1)} after (${cpus().length} CPUs): well above the CPU count means other processes competed.`);
  if (opts.quick) notes.push('quick mode: a smoke run, not a measurement');

  return {
    name: 'scale',
    params: { http: { connections: 100, duration_s: httpSeconds, warmup_s: warmSeconds }, echo: { conns: 50, size: 64, duration_ms: echoMs, warmup_s: warmSeconds }, sharing: share, node: process.version },
    rows,
    chartMetric: 'ops_s',
    baseline: 'node',
    table: rowsTable(rows, {
      metrics: [
        { key: 'ops_s', title: 'req or round trips/s', digits: 0 },
        { key: 'p50_ms', title: 'p50 ms', digits: 2 },
        { key: 'p99_ms', title: 'p99 ms', digits: 2 },
        { key: 'cpu_pct', title: 'server CPU %', digits: 0 },
        { key: 'cpu_us_per_op', title: 'server CPU µs/op', digits: 1 },
        { key: 'ops_per_cpu_s', title: 'per server CPU-s', digits: 0 },
        { key: 'server_procs', title: 'processes', digits: 0 },
      ],
      baseline: 'node',
      ratioMetric: 'ops_s',
    }),
    notes,
  };
};
