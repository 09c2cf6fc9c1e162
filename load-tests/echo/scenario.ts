/**
 * Echo load test (`npm run load -- echo`): strand's echo example against a raw Node.js echo
 * (`on('data') → write`) and Go's (`io.Copy`, GOMAXPROCS=1, when `go` is installed).
 *
 * Each server runs in its own process (fd limit raised), started fresh for every case; the
 * closed-loop TCP client (load-tests/lib/tcp-client.ts) runs in another process. Cases:
 * 1, 50 and 500 connections doing 64-byte round trips, and streaming 16 KiB writes (64 KiB in
 * flight per connection); then 10,000 idle connections for the memory per connection (RSS after
 * minus RSS before, divided by 10,000; one 1-byte round trip each first). TLS cases run the same
 * round trips and streaming over TLS — strand's `tls.listen` (`examples/echo --cert --key`) vs a
 * node:tls `createServer` echo vs Go's `crypto/tls` listener — with one certificate made for the
 * run (load-tests/lib/certs.ts); the client completes its handshakes before measuring.
 *
 * Reported per row: ops_s (round trips/s, or 16 KiB chunks echoed/s), mb_s (echoed MB/s),
 * p50/p99 latency, the server's CPU (% of one core), its CPU time per operation (µs; steadier
 * than throughput when other processes compete for the cores) and peak RSS, and the client's
 * CPU (a client near 100% means the client, not the server, was the limit).
 *
 * @module
 */

import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import {
  buildGo,
  distPath,
  freePort,
  goToolchain,
  median,
  readProc,
  repoRoot,
  rowsTable,
  sampleProcess,
  spawnServer,
  type Row,
  type Scenario,
  type ServerProcess,
} from '../lib/index.js';
import { openIdle, runTcpLoad } from '../lib/tcp-client.js';
import { testCerts } from '../lib/certs.js';

type Impl = 'strand' | 'node' | 'go';

interface Case {
  conns: number;
  mode: 'rtt' | 'stream';
  size: number;
  /** Over TLS. */
  tls?: boolean;
}

/** The certificate files of the TLS cases, and the CA the client trusts. */
interface TLSFiles {
  cert: string;
  key: string;
  ca: string;
}

const RAISE = 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"';

/** Transpiles the raw Node peer (outside the TypeScript build) next to the results. */
function nodePeer(tmp: string): string {
  const src = readFileSync(join(repoRoot(), 'load-tests/peers/node-echo.ts'), 'utf8');
  const out = ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
  mkdirSync(tmp, { recursive: true });
  const file = join(tmp, 'node-echo.mjs');
  writeFileSync(file, out.outputText);
  return file;
}

/** Starts one implementation's server on 127.0.0.1 (over TLS with `tls`). */
async function start(impl: Impl, bins: { node: string; go: string | null }, tls: TLSFiles | null = null): Promise<ServerProcess> {
  const certArgs = tls === null ? [] : [tls.cert, tls.key];
  if (impl === 'strand') {
    // The example logs a line per connection at "info"; "warn" keeps logging out of the
    // measurement (it still listens the same way), so readiness is the port accepting.
    const port = await freePort();
    const flags = tls === null ? [] : ['--cert', tls.cert, '--key', tls.key];
    return spawnServer('bash', ['-c', RAISE, process.execPath, distPath('examples/echo/main.js'), '--addr', `127.0.0.1:${port}`, ...flags], {
      readyPort: port,
      env: { LOG_LEVEL: 'warn' },
      name: 'strand echo',
    });
  }
  if (impl === 'node') return spawnServer('bash', ['-c', RAISE, process.execPath, bins.node, '0', ...certArgs], { name: 'node echo' });
  return spawnServer('bash', ['-c', RAISE, bins.go!, '127.0.0.1:0', ...certArgs], { env: { GOMAXPROCS: '1' }, name: 'go echo' });
}

/** Writes the run's certificate (a CA and a leaf for localhost/127.0.0.1) next to the results. */
async function tlsFiles(tmp: string): Promise<TLSFiles> {
  const c = await testCerts();
  mkdirSync(tmp, { recursive: true });
  const cert = join(tmp, 'echo-cert.pem');
  const key = join(tmp, 'echo-key.pem');
  writeFileSync(cert, c.cert);
  writeFileSync(key, c.key, { mode: 0o600 });
  return { cert, key, ca: c.ca };
}

function caseName(c: Case): string {
  const name = c.mode === 'rtt' ? `${c.size} B round trips, ${c.conns} conns` : `${c.size / 1024} KiB streaming, ${c.conns} conns`;
  return c.tls === true ? `TLS ${name}` : name;
}

/** The echo scenario. */
export const run: Scenario = async (opts) => {
  const durationMs = opts.quick ? 1000 : 5000;
  const reps = opts.quick ? 1 : 2;
  const idleConns = opts.quick ? 500 : 10_000;
  const notes: string[] = [];
  const tmp = join(opts.resultsDir, 'tmp');
  const bins = { node: nodePeer(tmp), go: null as string | null };
  const impls: Impl[] = ['strand', 'node'];
  const tc = goToolchain();
  if (tc.available) {
    try {
      bins.go = await buildGo(join(repoRoot(), 'load-tests/peers/go/echo'), join(tmp, 'go'));
      impls.push('go');
    } catch (e) {
      notes.push(`Go peer skipped: ${(e as Error).message.split('\n')[0]}`);
    }
  } else {
    notes.push(`Go peer skipped: ${tc.reason}`);
  }

  const cases: Case[] = [];
  // Quick mode is a smoke test of the harness (well under 20 s): one case of each kind.
  for (const conns of opts.quick ? [50] : [1, 50, 500]) cases.push({ conns, mode: 'rtt', size: 64 });
  for (const conns of opts.quick ? [1] : [1, 50, 500]) cases.push({ conns, mode: 'stream', size: 16 * 1024 });
  // TLS beside plain TCP (same certificate for the three servers).
  for (const conns of opts.quick ? [50] : [1, 50]) cases.push({ conns, mode: 'rtt', size: 64, tls: true });
  if (!opts.quick) cases.push({ conns: 1, mode: 'stream', size: 16 * 1024, tls: true });
  const certs = await tlsFiles(tmp);

  const rows: Row[] = [];
  for (const c of cases) {
    const per: Record<string, Record<string, number>[]> = {};
    // Repetitions interleave the implementations, so drift on a shared machine hits all alike.
    for (let r = 0; r < reps; r++) {
      for (const impl of impls) {
        const srv = await start(impl, bins, c.tls === true ? certs : null);
        try {
          const sampler = sampleProcess(srv.pid, { intervalMs: 100 });
          const res = await runTcpLoad({ port: srv.port, conns: c.conns, mode: c.mode, size: c.size, durationMs, ...(c.tls === true ? { tlsCA: certs.ca } : {}) });
          const st = sampler.stop();
          if (res.errors > 0) notes.push(`${caseName(c)}, ${impl}: ${res.errors} connections failed`);
          (per[impl] ??= []).push({
            ops_s: res.ops_s,
            mb_s: res.mb_s,
            p50_ms: res.p50_ms,
            p99_ms: res.p99_ms,
            cpu_pct: st.cpuPct,
            // Server CPU time per round trip / chunk: steadier than throughput on a shared machine.
            cpu_us_per_op: (st.cpuPct / 100) * 1e6 / Math.max(res.ops_s, 1),
            rss_mb: st.rssMb,
            client_cpu_pct: res.client_cpu_pct,
          });
          opts.log(`echo: ${caseName(c)} ${impl}: ${Math.round(res.ops_s)} ops/s, ${res.mb_s.toFixed(1)} MB/s, p99 ${res.p99_ms.toFixed(2)} ms`);
        } finally {
          await srv.stop();
        }
      }
    }
    for (const impl of impls) {
      const ms = per[impl]!;
      const metrics: Record<string, number> = {};
      for (const k of Object.keys(ms[0]!)) metrics[k] = median(ms.map((m) => m[k]!));
      rows.push({ case: caseName(c), impl, metrics });
    }
  }

  // Idle connections: memory per connection.
  const idleCase = `${idleConns.toLocaleString('en-US')} idle conns`;
  for (const impl of impls) {
    const srv = await start(impl, bins);
    try {
      await new Promise((r) => setTimeout(r, 300));
      const before = readProc(srv.pid)?.rssBytes ?? NaN;
      let idle: Awaited<ReturnType<typeof openIdle>>;
      try {
        idle = await openIdle(srv.port, idleConns, 30_000);
      } catch (e) {
        const fds = impl === 'go' ? ' (Go\'s io.Copy between TCP conns uses splice(2) with a pipe pair per blocked copy: 3 descriptors per idle connection)' : '';
        notes.push(`${idleCase}, ${impl}: could not hold them all open${fds}: ${(e as Error).message.split('\n')[0]}`);
        continue;
      }
      await new Promise((r) => setTimeout(r, opts.quick ? 200 : 1500));
      const after = readProc(srv.pid)?.rssBytes ?? NaN;
      await idle.close();
      rows.push({
        case: idleCase,
        impl,
        metrics: { rss_per_conn_b: (after - before) / idleConns, rss_mb: after / 2 ** 20, base_rss_mb: before / 2 ** 20 },
      });
      opts.log(`echo: ${idleCase} ${impl}: ${((after - before) / idleConns).toFixed(0)} B/conn`);
    } finally {
      await srv.stop();
    }
  }

  // Targets (DESIGN / issue 3).
  const get = (kase: string, impl: string, k: string): number | undefined => rows.find((r) => r.case === kase && r.impl === impl)?.metrics[k];
  for (const c of cases) {
    const name = caseName(c);
    const metric = c.mode === 'rtt' ? 'ops_s' : 'mb_s';
    const s = get(name, 'strand', metric);
    const n = get(name, 'node', metric);
    const g = get(name, 'go', metric);
    if (s !== undefined && n !== undefined && c.conns >= 50 && s < 0.9 * n) {
      notes.push(`target missed: ${name}: strand ${(s / n).toFixed(2)}× raw Node (target ≥ 0.9×)`);
    }
    if (s !== undefined && g !== undefined && s < g) notes.push(`${name}: strand ${(s / g).toFixed(2)}× Go (target ≥ 1×)`);
  }
  const si = get(idleCase, 'strand', 'rss_per_conn_b');
  const ni = get(idleCase, 'node', 'rss_per_conn_b');
  if (si !== undefined && ni !== undefined) {
    notes.push(`idle memory: strand ${Math.round(si)} B/conn vs raw Node ${Math.round(ni)} B/conn = ${(si / ni).toFixed(2)}× (target ≤ 1.2×)`);
  }
  notes.push(
    'Server, load client and the harness share the machine (2 cores here): with 500 connections the client process is often ' +
      'the limit (see client CPU %), and other processes may compete; server CPU µs/op is the steadier comparison then. ' +
      'RSS per idle connection includes garbage not yet collected.',
  );

  return {
    name: 'echo',
    params: { durationMs, reps, idleConns, cases, client: 'load-tests/lib/tcp-client.ts (closed loop per connection, own process)', window: '4 × size (stream)' },
    rows,
    chartMetric: 'ops_s',
    baseline: 'node',
    table: rowsTable(rows, {
      metrics: [
        { key: 'ops_s', title: 'round trips or chunks/s', digits: 0 },
        { key: 'mb_s', title: 'MB/s', digits: 1 },
        { key: 'p50_ms', title: 'p50 ms', digits: 2 },
        { key: 'p99_ms', title: 'p99 ms', digits: 2 },
        { key: 'cpu_pct', title: 'server CPU %', digits: 0 },
        { key: 'cpu_us_per_op', title: 'server CPU µs/op', digits: 1 },
        { key: 'rss_mb', title: 'server RSS MB', digits: 0 },
        { key: 'client_cpu_pct', title: 'client CPU %', digits: 0 },
        { key: 'rss_per_conn_b', title: 'RSS B/idle conn', digits: 0 },
      ],
      baseline: 'node',
      ratioMetric: 'ops_s',
    }),
    notes,
  };
};
