/**
 * The http load scenario: autocannon against five servers, each in its own process, side by
 * side in one run — node:http raw, strand `serve`, Fastify, Fastify + the strand plugin, and Go
 * net/http when `go` is installed. Two cases with fixed parameters: `-c 100 -d 10` and
 * `-c 100 -d 10 -p 10` (quick mode: `-d 1`).
 *
 * Targets (checked and reported in the notes, never asserted in `npm test`): strand `serve`
 * ≥ 0.9× node:http req/s with p99 ≤ 1.2×; Fastify + strand ≥ 0.95× Fastify alone.
 *
 * Run: `npm run load -- http` (or `node dist/load-tests/run.js http [--quick]`).
 */
import { buildGo, distPath, goToolchain, rowsTable, runAutocannon, sampleProcess, spawnServer, type Row, type Scenario } from '../lib/index.js';

interface Impl {
  name: string;
  cmd: string;
  args: string[];
}

const CONNECTIONS = 100;

export const run: Scenario = async (opts) => {
  const duration = opts.quick ? 1 : 10;
  const notes: string[] = [];
  const servers = distPath('load-tests/http/servers.js');
  const impls: Impl[] = [
    { name: 'node', cmd: process.execPath, args: [servers, 'node'] },
    { name: 'strand', cmd: process.execPath, args: [servers, 'strand'] },
    { name: 'fastify', cmd: process.execPath, args: [servers, 'fastify'] },
    { name: 'fastify+strand', cmd: process.execPath, args: [servers, 'fastify-strand'] },
  ];
  const tc = goToolchain();
  if (tc.available) {
    try {
      const bin = await buildGo('load-tests/peers/go/http', 'load-tests/results/tmp/go');
      impls.push({ name: 'go', cmd: bin, args: ['0'] });
    } catch (err) {
      notes.push(`Go peer skipped: ${(err as Error).message.split('\n')[0]}`);
    }
  } else {
    notes.push(`Go peer skipped: ${tc.reason}`);
  }
  const cases = [
    { name: `c${CONNECTIONS}`, pipelining: 1 },
    { name: `c${CONNECTIONS} p10`, pipelining: 10 },
  ].slice(0, opts.quick ? 1 : 2); // quick mode: a smoke run of one case
  const rows: Row[] = [];
  for (const c of cases) {
    for (const impl of impls) {
      opts.log(`http: ${c.name} ${impl.name}`);
      const srv = await spawnServer(impl.cmd, impl.args, { name: `http-${impl.name}` });
      try {
        // A short warm-up so JIT tiers settle before measuring (not counted; skipped in quick mode).
        if (!opts.quick) await runAutocannon({ url: `http://127.0.0.1:${srv.port}/`, connections: CONNECTIONS, duration: 1, pipelining: c.pipelining });
        const sampler = sampleProcess(srv.pid);
        const m = await runAutocannon(
          { url: `http://127.0.0.1:${srv.port}/`, connections: CONNECTIONS, duration, pipelining: c.pipelining, title: `${impl.name} ${c.name}` },
          { progress: opts.interactive === true },
        );
        const ps = sampler.stop();
        if (m.errors + m.timeouts + m.non2xx > 0) notes.push(`${impl.name} ${c.name}: ${m.errors} errors, ${m.timeouts} timeouts, ${m.non2xx} non-2xx`);
        rows.push({
          case: c.name,
          impl: impl.name,
          metrics: {
            rps: m.rps,
            p50_ms: m.p50_ms,
            p99_ms: m.p99_ms,
            max_ms: m.max_ms,
            cpu_pct: ps.cpuPct,
            // Requests per CPU-second of the server: what contention from other processes distorts least.
            req_per_cpu_s: ps.cpuPct > 0 ? m.rps / (ps.cpuPct / 100) : 0,
            rss_mb: ps.rssMb,
          },
        });
      } finally {
        await srv.stop();
      }
    }
  }
  for (const c of cases) {
    const get = (impl: string) => rows.find((r) => r.case === c.name && r.impl === impl)?.metrics;
    const node = get('node');
    const st = get('strand');
    const fa = get('fastify');
    const fs = get('fastify+strand');
    if (node && st) {
      const rr = st.rps / node.rps;
      const pr = st.p99_ms / Math.max(node.p99_ms, 1e-9);
      notes.push(
        `${c.name}: strand serve ${rr.toFixed(2)}× node:http req/s (target ≥ 0.90×), p99 ${pr.toFixed(2)}× (target ≤ 1.20×)` +
          (rr >= 0.9 && pr <= 1.2 ? ' — met' : ' — MISSED'),
      );
    }
    if (fa && fs) {
      const rr = fs.rps / fa.rps;
      notes.push(`${c.name}: Fastify + strand ${rr.toFixed(2)}× Fastify req/s (target ≥ 0.95×)` + (rr >= 0.95 ? ' — met' : ' — MISSED'));
    }
  }
  if (opts.quick) notes.push('quick mode (-d 1): a smoke run, not a measurement');
  notes.push(
    'autocannon runs in the harness process on the same machine as the server, so req/s is bounded by the load generator and by any other load; req/CPU-s (requests per CPU-second of the server) is the contention-robust efficiency figure. For a noisy machine, `node dist/load-tests/http/ab.js node strand` interleaves short rounds of two servers.',
  );
  return {
    name: 'http',
    params: { connections: CONNECTIONS, duration_s: duration, pipelining: [1, 10], warmup_s: 1, body: 'hello world\\n', endpoint: 'GET /' },
    rows,
    chartMetric: 'rps',
    baseline: 'node',
    table: rowsTable(rows, {
      metrics: [
        { key: 'rps', title: 'req/s', digits: 0 },
        { key: 'p50_ms', title: 'p50 ms' },
        { key: 'p99_ms', title: 'p99 ms' },
        { key: 'cpu_pct', title: 'CPU %', digits: 0 },
        { key: 'req_per_cpu_s', title: 'req/CPU-s', digits: 0 },
        { key: 'rss_mb', title: 'RSS MB', digits: 0 },
      ],
      baseline: 'node',
      ratioMetric: 'rps',
    }),
    notes,
  };
};
