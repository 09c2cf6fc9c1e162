/**
 * Chat load test (`npm run load -- chat`): N TCP clients in one room of the chat example, a
 * fixed total send rate spread over a few senders, every message fanned out to all N.
 *
 * The server runs in its own process (`dist/examples/chat/main.js`, fd limit raised in a
 * shell). The load client here uses plain node:net sockets. Each message carries the sender's
 * `performance.now()`; since the same process sends and receives, delivery latency is exact.
 * Each receiver checks every sender's sequence numbers: a gap is a lost message, a repeat or a
 * step back is a misordering. Reported: delivered messages/s, latency p50/p99/max, lost
 * messages (must be 0 for clients the server did not drop), dropped clients, and the server's
 * CPU and RSS during the send phase.
 *
 * @module
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { distPath, freePort, percentiles, rowsTable, sampleProcess, spawnServer, type Row, type Scenario, type ServerProcess } from '../lib/index.js';

interface Case {
  clients: number;
  /** Messages per second, all senders together. */
  rate: number;
  seconds: number;
  /** 2: two chat servers sharing rooms through one redis-server; clients alternate between them. */
  nodes?: 1 | 2;
}

/**
 * Clients that send, round robin. Each client may send 20 lines a second (the chat's default
 * rate limit, bursts of 40), so the 1,000 msg/s case needs 100 senders at 10 lines/s each.
 */
const MAX_SENDERS = 100;
/** Counters over all receivers, so completion checks are O(1) per received chunk. */
interface Totals {
  received: number;
  welcomed: number;
  closed: number;
}

/** One load-client connection and what it has seen. */
class Receiver {
  readonly sock: Socket;
  /** Next expected sequence number per sender. */
  readonly next: Int32Array;
  received = 0;
  misordered = 0;
  joins = 0;
  welcomed = false;
  closedByServer = false;
  private partial = '';

  constructor(sock: Socket, senders: number, totals: Totals, onLatency: (ms: number) => void, onChange: () => void) {
    this.sock = sock;
    this.next = new Int32Array(senders);
    sock.setEncoding('utf8');
    sock.on('data', (chunk: string) => {
      const lines = (this.partial + chunk).split('\n');
      this.partial = lines.pop()!;
      const now = performance.now();
      for (const line of lines) {
        // "[lobby] <guestN> t SENDER SEQ TIMESTAMP"
        const p = line.indexOf('> t ');
        if (p > 0) {
          const a = p + 4;
          const b = line.indexOf(' ', a);
          const c = line.indexOf(' ', b + 1);
          const s = Number(line.slice(a, b));
          const k = Number(line.slice(b + 1, c));
          if (k !== this.next[s]) this.misordered++;
          this.next[s] = k + 1;
          this.received++;
          totals.received++;
          onLatency(now - Number(line.slice(c + 1)));
        } else if (line.startsWith('* Welcome')) {
          this.welcomed = true;
          totals.welcomed++;
        } else if (line.endsWith(' joined')) this.joins++;
      }
      onChange();
    });
    sock.on('close', () => {
      this.closedByServer = true;
      totals.closed++;
      onChange();
    });
    sock.on('error', () => {});
  }
}

function dial(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

/** Resolves once `cond()` holds (checked on every receive), or after `ms`. */
function until(cond: () => boolean, ms: number, hook: { fn: () => void }): Promise<boolean> {
  return new Promise((resolve) => {
    if (cond()) return resolve(true);
    const timer = setTimeout(() => {
      hook.fn = () => {};
      resolve(cond());
    }, ms);
    hook.fn = () => {
      if (cond()) {
        clearTimeout(timer);
        hook.fn = () => {};
        resolve(true);
      }
    };
  });
}

async function runCase(c: Case, log: (m: string) => void): Promise<Row> {
  const nodes = c.nodes ?? 1;
  const cluster = await startChat(nodes, log);
  const servers = cluster.servers;
  const lat = new Float64Array(Math.ceil(c.rate * c.seconds * 1.2 + 1000) * c.clients);
  let nLat = 0;
  const onLatency = (ms: number): void => {
    if (nLat < lat.length) lat[nLat++] = ms;
  };
  const hook = { fn: () => {} };
  const onChange = (): void => hook.fn();
  const rs: Receiver[] = [];
  const senderCount = Math.min(c.clients, MAX_SENDERS);
  const totals: Totals = { received: 0, welcomed: 0, closed: 0 };
  try {
    for (let i = 0; i < c.clients; i += 100) {
      // With two nodes, clients alternate between them (client k on node k % 2).
      const socks = await Promise.all(Array.from({ length: Math.min(100, c.clients - i) }, (_, j) => dial(servers[(i + j) % nodes]!.port)));
      for (const s of socks) rs.push(new Receiver(s, senderCount, totals, onLatency, onChange));
    }
    const first = rs[0]!;
    if (!(await until(() => totals.welcomed === c.clients && first.joins >= c.clients, 30_000, hook))) {
      throw new Error(`load-tests: chat: only ${rs.filter((r) => r.welcomed).length}/${c.clients} clients joined`);
    }
    log(`chat: ${c.clients} clients connected; sending ${c.rate} msg/s for ${c.seconds} s`);

    const samplers = servers.map((sv) => sampleProcess(sv.pid));
    const cpu0 = process.cpuUsage();
    const senders = rs.slice(0, senderCount);
    const seq = new Int32Array(senderCount);
    let sent = 0;
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const elapsed = (performance.now() - t0) / 1000;
        const due = Math.min(Math.floor(elapsed * c.rate), c.rate * c.seconds);
        while (sent < due) {
          const s = sent % senderCount;
          senders[s]!.sock.write(`t ${s} ${seq[s]!++} ${performance.now().toFixed(3)}\n`);
          sent++;
        }
        if (elapsed >= c.seconds) {
          clearInterval(timer);
          resolve();
        }
      }, 5);
    });
    // Done when every client the server did not drop has every message (or after 10 s).
    await until(() => totals.received >= sent * (c.clients - totals.closed), 10_000, hook);
    const tEnd = performance.now();
    const stats = samplers.map((sm) => sm.stop());
    const proc = { cpuPct: stats.reduce((a, x) => a + x.cpuPct, 0), rssMb: stats.reduce((a, x) => a + x.rssMb, 0) };
    const cpu = process.cpuUsage(cpu0);
    const clientCpuPct = ((cpu.user + cpu.system) / 1000 / (tEnd - t0)) * 100;

    const ok = rs.filter((r) => !r.closedByServer);
    const delivered = rs.reduce((a, r) => a + r.received, 0);
    const lost = ok.reduce((a, r) => a + Math.max(0, sent - r.received), 0);
    const misordered = rs.reduce((a, r) => a + r.misordered, 0);
    const [p50, p99, max] = percentiles(lat.subarray(0, nLat), [50, 99, 100]);
    const metrics = {
      sent,
      delivered_per_s: delivered / ((tEnd - t0) / 1000),
      p50_ms: p50!,
      p99_ms: p99!,
      max_ms: max!,
      lost,
      misordered,
      dropped_clients: rs.length - ok.length,
      cpu_pct: proc.cpuPct,
      rss_mb: proc.rssMb,
      client_cpu_pct: clientCpuPct,
    };
    log(`chat: ${JSON.stringify(metrics)}`);
    const where = nodes === 2 ? ' over 2 nodes + Redis' : '';
    return { case: `${c.clients} clients${where}, ${c.rate} msg/s (${senderCount} senders)`, impl: 'strand', metrics };
  } finally {
    for (const r of rs) r.sock.destroy();
    await cluster.stop();
  }
}

/**
 * Starts the chat: one server, or (nodes = 2) a redis-server on a free loopback port (temporary
 * directory, no persistence) and two chat servers linked to it. Each chat server is ready once a
 * probe client is welcomed (over Redis, joining waits for the server's link).
 */
async function startChat(nodes: 1 | 2, log: (m: string) => void): Promise<{ servers: ServerProcess[]; stop: () => Promise<void> }> {
  const raise = 'ulimit -n 16384 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"';
  const started: ServerProcess[] = [];
  let dir: string | null = null;
  const stop = async (): Promise<void> => {
    for (const sv of started.reverse()) await sv.stop();
    if (dir !== null) rmSync(dir, { recursive: true, force: true });
  };
  try {
    const extra: string[] = [];
    if (nodes === 2) {
      dir = mkdtempSync(join(tmpdir(), 'strand-load-redis-'));
      const port = await freePort();
      const args = ['--save', '', '--appendonly', 'no', '--port', String(port), '--bind', '127.0.0.1', '--dir', dir];
      started.push(await spawnServer('redis-server', args, { readyPort: port, name: 'redis-server (apt-get install redis-server)' }));
      extra.push('--redis', `redis://127.0.0.1:${port}`);
      log(`chat: redis-server on 127.0.0.1:${port}`);
    }
    const chats: ServerProcess[] = [];
    for (let i = 0; i < nodes; i++) {
      const sv = await spawnServer('bash', ['-c', raise, process.execPath, distPath('examples/chat/main.js'), '--tcp', '127.0.0.1:0', '--http', 'off', ...extra], {
        readyLine: /"tcp":"127\.0\.0\.1:(\d+)"/,
        env: { LOG_LEVEL: 'info' },
        name: `chat${nodes > 1 ? ` node ${i + 1}` : ''}`,
      });
      started.push(sv);
      chats.push(sv);
    }
    if (nodes === 2) for (const sv of chats) await probe(sv.port);
    return { servers: chats, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Resolves once a client of the chat at `port` is welcomed; retries (bounded) while it is refused. */
async function probe(port: number): Promise<void> {
  const deadline = performance.now() + 15_000;
  while (performance.now() < deadline) {
    const s = await dial(port);
    const welcomed = await new Promise<boolean>((resolve) => {
      let text = '';
      s.setEncoding('utf8');
      s.on('data', (d: string) => {
        text += d;
        if (text.includes('* Welcome')) resolve(true);
      });
      s.on('close', () => resolve(false));
      s.on('error', () => resolve(false));
      setTimeout(() => resolve(false), 2_000).unref();
    });
    s.destroy();
    if (welcomed) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`load-tests: chat on port ${port} did not welcome a client within 15 s (not linked to Redis?)`);
}

/** The chat scenario. */
export const run: Scenario = async (opts) => {
  const cases: Case[] = opts.quick
    ? [{ clients: 100, rate: 100, seconds: 3 }]
    : [
        { clients: 100, rate: 1000, seconds: 10 },
        { clients: 1000, rate: 100, seconds: 10 },
        { clients: 1000, rate: 100, seconds: 10, nodes: 2 },
      ];
  const rows: Row[] = [];
  const load0 = loadavg()[0]!;
  for (const c of cases) rows.push(await runCase(c, opts.log));
  const notes = [
    'One room; every message goes to every client (a message at R msg/s to N clients is N×R deliveries/s). ' +
      `Up to ${MAX_SENDERS} clients send, round robin, at the fixed total rate (the chat limits each client to 20 lines/s); ` +
      'the load client (plain node:net) runs in the harness process ' +
      'on the same 2 cores as the server, so latency includes its own parsing time.',
    'lost counts messages missing at clients the server did not drop (must be 0); misordered counts repeats or steps back.',
    'While the server as a whole writes more than 20,000 times a second, each client stream is flushed at most every 20 ms ' +
      '(write coalescing, see examples/chat/tcp.ts): that bounds the syscalls of a big room and adds up to 20 ms of latency there.',
    `1-minute load average when the run started: ${load0.toFixed(2)} on this machine's cores, shared with the load client; ` +
      'latency percentiles are sensitive to other work on the machine.',
  ];
  const one = rows.find((r) => r.case.startsWith('1000 clients,'));
  const two = rows.find((r) => r.case.includes('over 2 nodes'));
  if (one !== undefined && two !== undefined) {
    const ratio = two.metrics.p99_ms! / one.metrics.p99_ms!;
    notes.push(
      `Two nodes + Redis (clients alternate between the nodes; server CPU % and RSS are the two chat processes together, Redis not counted): ` +
        `p99 ${two.metrics.p99_ms!.toFixed(1)} ms = ${ratio.toFixed(2)}× one node's at the same load (target ≤ 2×) — ${ratio <= 2 ? 'met' : 'MISSED'}; ` +
        `lost ${two.metrics.lost} (target 0) — ${two.metrics.lost === 0 ? 'met' : 'MISSED'}.`,
    );
  }
  for (const r of rows) {
    if (r.metrics.lost! > 0) notes.push(`${r.case}: ${r.metrics.lost} messages lost at healthy clients — a bug.`);
    if (r.metrics.dropped_clients! > 0) notes.push(`${r.case}: the server dropped ${r.metrics.dropped_clients} clients as too slow.`);
  }
  return {
    name: 'chat',
    params: { maxSenders: MAX_SENDERS, cases, room: 'lobby', transport: 'tcp', server: 'dist/examples/chat/main.js', broker: 'in-process; nodes = 2: redis-server (Debian) on loopback' },
    rows,
    chartMetric: 'delivered_per_s',
    baseline: 'strand',
    table: rowsTable(rows, {
      metrics: [
        { key: 'delivered_per_s', title: 'delivered msg/s', digits: 0 },
        { key: 'p50_ms', title: 'p50 ms', digits: 2 },
        { key: 'p99_ms', title: 'p99 ms', digits: 2 },
        { key: 'max_ms', title: 'max ms', digits: 1 },
        { key: 'lost', title: 'lost', digits: 0 },
        { key: 'dropped_clients', title: 'dropped', digits: 0 },
        { key: 'cpu_pct', title: 'server CPU %', digits: 0 },
        { key: 'rss_mb', title: 'server RSS MB', digits: 0 },
        { key: 'client_cpu_pct', title: 'load client CPU %', digits: 0 },
      ],
    }),
    notes,
  };
};
