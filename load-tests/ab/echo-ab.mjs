// Interleaved before/after for the echo example's 16 KiB streaming case between two built trees:
//   node load-tests/ab/echo-ab.mjs BEFORE_DIR AFTER_DIR [rounds] [conns]
// Each round starts each tree's echo example, streams for 4 s from load-tests' TCP client, and
// records the server's CPU µs per chunk (from /proc). Prints medians per side and the ratio.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
const [before, after, rounds = '5', conns = '50'] = process.argv.slice(2);
const { runTcpLoad } = await import(pathToFileURL(`${after}/dist/load-tests/lib/tcp-client.js`).href);
const ticks = (pid) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return Number(f[11]) + Number(f[12]); };
async function once(dir) {
  const c = spawn(process.execPath, [`${dir}/dist/examples/echo/main.js`, '--addr', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((res) => { let b = ''; c.stdout.on('data', (d) => { b += d; const m = /"addr":"127\.0\.0\.1:(\d+)"/.exec(b); if (m) res(Number(m[1])); }); });
  const t0 = ticks(c.pid);
  const r = await runTcpLoad({ port, conns: Number(conns), mode: 'stream', size: 16384, durationMs: 4000, warmupMs: 0 });
  const cpuUs = (ticks(c.pid) - t0) * 10_000; // 100 Hz ticks
  c.kill('SIGKILL');
  return cpuUs / (r.ops_s * 4);
}
const res = { before: [], after: [] };
for (let i = 0; i < Number(rounds); i++) for (const [k, d] of [['before', before], ['after', after]]) res[k].push(await once(d));
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]; };
console.log(`16 KiB stream, ${conns} conns, server CPU µs/chunk: before ${med(res.before).toFixed(2)} after ${med(res.after).toFixed(2)} ratio ${(med(res.after) / med(res.before)).toFixed(3)}`);
console.log(JSON.stringify(res));
