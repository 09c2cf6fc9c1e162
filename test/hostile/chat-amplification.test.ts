/**
 * Hostile clients against the chat: the `/rooms` amplification. A client that asks for a big
 * reply over and over and never reads must cost the server a bounded number of bytes, and be
 * dropped with a logged reason — never take the process down.
 */
import t from 'tap';
import { connect, type Socket } from 'node:net';
import { hostPort } from '../examples/chat/helpers.js';
import { ChatChild, Healthy, fmt } from './chat-harness.js';

/** Opens a TCP connection to `addr`. */
function dial(addr: string): Promise<Socket> {
  const [host, port] = hostPort(addr);
  return new Promise((resolve, reject) => {
    const s = connect({ host, port }, () => resolve(s));
    s.once('error', reject);
  });
}

/** Bounds of this case (the measured peak is reported in the test output). */
const ROOMS = 200;
const ATTACKERS = 100;
// "/rooms\n" × 1500 each, written at once, never read: ~6 MB of replies per client, past what
// the kernel takes into a loopback socket's buffers (~4 MB) before the server's writes park.
const REQUESTS = 1500;
/** Room names of 32 characters: a `/rooms` reply (the 100 busiest) is ~4 KB. */
const roomName = (i: number): string => `room-${i}-`.padEnd(32, 'x');
const RSS_BOUND_MIB = 300;
const HEALTHY_MAX_MS = 2000;

t.test('chat hostile: /rooms amplification from 100 non-reading clients — offenders dropped with a reason, RSS bounded, a healthy client keeps up', { timeout: 60_000 }, async (t) => {
  // Rate limits off, so the attack goes as fast as the server can answer: this case checks the
  // byte bound on outboxes (the last line of defence); the rate limits are checked below.
  const srv = await ChatChild.start({ rate: { perSecond: 0, burst: 0 }, queryRate: { perSecond: 0, burst: 0 } });
  const attackers: Socket[] = [];
  let healthy: Healthy | null = null;
  try {
    // 200 rooms, kept alive by one message of history each.
    const setup = await dial(srv.tcp);
    let script = '';
    for (let i = 0; i < ROOMS; i++) script += `/join ${roomName(i)}\nkeep\n`;
    setup.write(script + '/join lobby\n');
    await srv.waitLog((r) => r.msg === 'client connected', 5000);
    const baseline = srv.rss();
    healthy = await Healthy.start(srv.tcp);

    for (let i = 0; i < ATTACKERS; i++) {
      const s = await dial(srv.tcp);
      s.on('error', () => {});
      s.pause(); // never reads: the server's writes to it park, then its outbox fills
      s.write('/rooms\n'.repeat(REQUESTS));
      attackers.push(s);
    }
    const drops = await srv.waitLogs((r) => typeof r.msg === 'string' && r.msg.startsWith('dropping slow client'), ATTACKERS, 30_000);
    const health = await healthy.stop();
    healthy = null;

    t.ok(srv.alive, 'the server is alive');
    t.equal(drops.length, ATTACKERS, 'every attacker was dropped');
    t.ok(drops.every((r) => /^outbox (over \d+ bytes|full \(\d+ events\))$/.test(String(r.why))), 'each drop logs its reason (outbox over its bytes or events)');
    t.ok(drops.every((r) => r.nick !== 'healthy'), 'the healthy client was never dropped');
    t.ok(srv.peakRss < RSS_BOUND_MIB, `peak RSS ${fmt(srv.peakRss)} MiB (baseline ${fmt(baseline)} MiB) < ${RSS_BOUND_MIB} MiB`);
    t.notOk(health.dropped, 'the healthy client stayed connected');
    t.ok(health.echoed >= health.pings - 1, `healthy client: ${health.echoed} of ${health.pings} pings echoed`);
    t.ok(health.max < HEALTHY_MAX_MS, `healthy client latency p50 ${fmt(health.p50)} ms, max ${fmt(health.max)} ms < ${HEALTHY_MAX_MS} ms`);
    t.comment(`/rooms amplification: ${ATTACKERS} clients × ${REQUESTS} requests, ${ROOMS} rooms: peak RSS ${fmt(srv.peakRss)} MiB (baseline ${fmt(baseline)}), healthy p50 ${fmt(health.p50)} ms max ${fmt(health.max)} ms`);
    setup.destroy();
  } finally {
    await healthy?.stop(0);
    for (const s of attackers) s.destroy();
    await srv.stop();
  }
});

t.test('chat hostile: /rooms replies are rate-limited and bounded in size at the defaults', { timeout: 30_000 }, async (t) => {
  const srv = await ChatChild.start({});
  let healthy: Healthy | null = null;
  const sock = await dial(srv.tcp);
  const members: Socket[] = [];
  try {
    // 200 rooms with one person each (at the default line rate one client would take 20 s to
    // make them).
    for (let i = 0; i < ROOMS; i++) {
      const m = await dial(srv.tcp);
      m.on('data', () => {});
      m.write(`/join ${roomName(i)}\n`);
      members.push(m);
    }
    healthy = await Healthy.start(srv.tcp);
    // A reading client asks 100 times at once; at 2 a second with bursts of 10, about 10 +
    // 2/s come back — the rest wait (TCP pushes back on the reader), nothing is amplified.
    sock.setEncoding('utf8');
    let replies = 0;
    let longest = 0;
    let buf = '';
    sock.on('data', (c: string) => {
      buf += c;
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) {
        if (l.startsWith('* rooms: ')) {
          replies++;
          longest = Math.max(longest, Buffer.byteLength(l) + 1);
        }
      }
    });
    const t0 = performance.now();
    sock.write('/rooms\n'.repeat(100));
    // Observe for 2 s (a measurement window, not a synchronization).
    await new Promise((r) => setTimeout(r, 2000));
    const secs = (performance.now() - t0) / 1000;
    t.ok(replies <= 10 + Math.ceil(2 * secs) + 1, `${replies} replies in ${secs.toFixed(1)} s (at most 10 + 2/s)`);
    t.ok(replies >= 10, 'the burst is answered');
    t.ok(longest < 5000, `a /rooms reply is ${longest} bytes for ${ROOMS + 1} rooms (listing the 100 busiest, "and N more")`);
    const health = await healthy.stop();
    healthy = null;
    t.ok(health.max < HEALTHY_MAX_MS, `healthy client latency max ${fmt(health.max)} ms`);
    t.ok(srv.peakRss < RSS_BOUND_MIB, `peak RSS ${fmt(srv.peakRss)} MiB`);
  } finally {
    await healthy?.stop(0);
    for (const m of members) m.destroy();
    sock.destroy();
    await srv.stop();
  }
});
