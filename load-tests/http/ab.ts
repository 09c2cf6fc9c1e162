/**
 * Interleaved A/B comparison of two http servers, for machines where other work competes for
 * the CPU (a single back-to-back run then mostly measures the neighbours). Runs short autocannon
 * rounds alternating A and B, and reports medians of req/s, p99 and req/s per CPU-% of the
 * server process (efficiency, which contention distorts much less than raw req/s).
 *
 *   node dist/load-tests/http/ab.js node strand [rounds=4] [seconds=3] [pipelining=1]
 *
 * Implementations as in servers.ts: node, strand, fastify, fastify-strand.
 */
import { distPath, median, runAutocannon, sampleProcess, spawnServer } from '../lib/index.js';

const [a = 'node', b = 'strand', roundsArg = '4', secondsArg = '3', pipeArg = '1'] = process.argv.slice(2);
const rounds = Number(roundsArg);
const seconds = Number(secondsArg);
const pipelining = Number(pipeArg);
const servers = distPath('load-tests/http/servers.js');

const procs = {
  [a]: await spawnServer(process.execPath, [servers, a], { name: a }),
  [b]: await spawnServer(process.execPath, [servers, b], { name: b }),
};
const results: Record<string, { rps: number[]; p99: number[]; eff: number[] }> = {
  [a]: { rps: [], p99: [], eff: [] },
  [b]: { rps: [], p99: [], eff: [] },
};
try {
  for (const impl of [a, b]) {
    await runAutocannon({ url: `http://127.0.0.1:${procs[impl].port}/`, connections: 100, duration: 1, pipelining });
  }
  for (let i = 0; i < rounds; i++) {
    for (const impl of i % 2 === 0 ? [a, b] : [b, a]) {
      const s = sampleProcess(procs[impl].pid, { intervalMs: 200 });
      const m = await runAutocannon({ url: `http://127.0.0.1:${procs[impl].port}/`, connections: 100, duration: seconds, pipelining });
      const ps = s.stop();
      results[impl].rps.push(m.rps);
      results[impl].p99.push(m.p99_ms);
      results[impl].eff.push(m.rps / Math.max(ps.cpuPct, 1));
    }
  }
} finally {
  await Promise.all(Object.values(procs).map((p) => p.stop()));
}
const row = (impl: string) => {
  const r = results[impl];
  return `${impl.padEnd(16)} req/s ${median(r.rps).toFixed(0).padStart(7)}  p99 ${median(r.p99).toFixed(1).padStart(6)} ms  req/s per CPU% ${median(r.eff).toFixed(1)}`;
};
console.log(`c100 p${pipelining}, ${rounds} rounds × ${seconds} s, interleaved (medians)`);
console.log(row(a));
console.log(row(b));
const ra = results[a];
const rb = results[b];
console.log(
  `${b}/${a}: req/s ${(median(rb.rps) / median(ra.rps)).toFixed(2)}×, p99 ${(median(rb.p99) / median(ra.p99)).toFixed(2)}×, efficiency ${(median(rb.eff) / median(ra.eff)).toFixed(2)}×`,
);
