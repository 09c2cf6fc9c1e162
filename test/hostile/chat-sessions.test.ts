/**
 * Hostile clients against the chat's web side: session floods (the per-address rate answers
 * 429, the cap on live sessions 503), cross-site requests (403/415), idle and never-attached
 * sessions expiring, and a web client dropped as too slow having its connection closed.
 */
import t from 'tap';
import { connect, type Socket } from 'node:net';
import { Agent, request } from 'undici';
import { hostPort, LineClient } from '../examples/chat/helpers.js';
import { ChatChild, Healthy, fmt } from './chat-harness.js';

const RSS_BOUND_MIB = 250;
const HEALTHY_MAX_MS = 2000;

interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: any;
}

async function post(url: string, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }, dispatcher?: Agent): Promise<Res> {
  const res = await request(url, { method: 'POST', headers, body, ...(dispatcher ? { dispatcher } : {}) });
  const text = await res.body.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  return { status: res.statusCode, headers: res.headers, json };
}

/** `workers` loops POSTing new sessions for `ms`; returns the count of each status. */
async function flood(url: string, workers: number, ms: number): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  const agent = new Agent({ connections: workers });
  const end = performance.now() + ms;
  let n = 0;
  await Promise.all(Array.from({ length: workers }, async () => {
    while (performance.now() < end) {
      const r = await post(url + 'api/session', JSON.stringify({ nick: `f${n++}` }), { 'content-type': 'application/json' }, agent);
      counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
    }
  }));
  await agent.close();
  return counts;
}

t.test('chat hostile: a session flood from one address is answered 429 past its rate; RSS bounded, a healthy client keeps up', { timeout: 30_000 }, async (t) => {
  const srv = await ChatChild.start({});
  const healthy = await Healthy.start(srv.tcp);
  try {
    const t0 = performance.now();
    const counts = await flood(srv.http, 20, 3000);
    const secs = (performance.now() - t0) / 1000;
    const created = counts.get(201) ?? 0;
    const health = await healthy.stop();
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    t.same([...counts.keys()].sort(), [201, 429], 'only 201 and 429');
    // Default: 1 a second per address, bursts of 10.
    t.ok(created <= 10 + Math.ceil(secs) + 1, `${created} sessions of ${total} attempts in ${secs.toFixed(1)} s (at most 10 + 1/s)`);
    t.ok(created >= 10, 'the burst was admitted');
    const connected = srv.logs.filter((r) => r.msg === 'client connected' && r.kind === 'web').length;
    t.equal(connected, created, 'the hub saw only the admitted sessions');
    t.ok(srv.alive, 'the server is alive');
    t.ok(srv.peakRss < RSS_BOUND_MIB, `peak RSS ${fmt(srv.peakRss)} MiB < ${RSS_BOUND_MIB} MiB`);
    t.notOk(health.dropped, 'the healthy client stayed');
    t.ok(health.max < HEALTHY_MAX_MS, `healthy client latency p50 ${fmt(health.p50)} ms, max ${fmt(health.max)} ms < ${HEALTHY_MAX_MS} ms`);
    t.comment(`session flood: ${total} attempts from 20 workers in ${secs.toFixed(1)} s → ${created} created; peak RSS ${fmt(srv.peakRss)} MiB; healthy max ${fmt(health.max)} ms`);
  } finally {
    await healthy.stop(0);
    await srv.stop();
  }
});

t.test('chat hostile: past the cap on live sessions, new ones get 503 with Retry-After', { timeout: 30_000 }, async (t) => {
  // No per-address rate here (one test address), so the cap is what answers.
  const srv = await ChatChild.start({ sessions: { max: 50, perAddress: { perSecond: 0, burst: 0 } } });
  const healthy = await Healthy.start(srv.tcp);
  try {
    const counts = await flood(srv.http, 20, 1500);
    const r = await post(srv.http + 'api/session', '{}');
    const health = await healthy.stop();
    t.equal(counts.get(201), 50, '50 sessions created');
    t.ok((counts.get(503) ?? 0) > 0, `${counts.get(503)} refused with 503`);
    t.same([...counts.keys()].sort(), [201, 503]);
    t.equal(r.status, 503);
    t.equal(r.headers['retry-after'], '30');
    t.ok(srv.peakRss < RSS_BOUND_MIB, `peak RSS ${fmt(srv.peakRss)} MiB < ${RSS_BOUND_MIB} MiB`);
    t.ok(health.max < HEALTHY_MAX_MS, `healthy client latency max ${fmt(health.max)} ms`);
  } finally {
    await healthy.stop(0);
    await srv.stop();
  }
});

t.test('chat hostile: cross-site session requests are refused (403/415) and no CORS is granted', { timeout: 20_000 }, async (t) => {
  const srv = await ChatChild.start({});
  const healthy = await Healthy.start(srv.tcp);
  const host = srv.http.replace(/^http:\/\/|\/$/g, '');
  const url = srv.http + 'api/session';
  const body = JSON.stringify({ nick: 'csrf' });
  try {
    const cases: Array<[string, Record<string, string>, number]> = [
      ['text/plain (a no-cors fetch)', { 'content-type': 'text/plain' }, 415],
      ['an HTML form', { 'content-type': 'application/x-www-form-urlencoded' }, 415],
      ['multipart form', { 'content-type': 'multipart/form-data; boundary=x' }, 415],
      ['no content type', {}, 415],
      ['a foreign Origin', { 'content-type': 'application/json', origin: 'http://evil.example' }, 403],
      ['Origin: null', { 'content-type': 'application/json', origin: 'null' }, 403],
      ['Sec-Fetch-Site: cross-site', { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' }, 403],
      ['Sec-Fetch-Site: same-site (another port)', { 'content-type': 'application/json', 'sec-fetch-site': 'same-site' }, 403],
      ['text/plain from a foreign Origin', { 'content-type': 'text/plain', origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' }, 403],
    ];
    for (const [what, headers, status] of cases) {
      const r = await post(url, body, headers);
      t.equal(r.status, status, `${what} → ${status}`);
      t.equal(r.headers['access-control-allow-origin'], undefined, `${what}: no CORS header`);
    }
    const send = await post(srv.http + 'api/send', JSON.stringify({ token: 'x', text: 'hi' }), { 'content-type': 'text/plain' });
    t.equal(send.status, 415, '/api/send refuses text/plain too');
    const pre = await request(url, { method: 'OPTIONS', headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    await pre.body.dump();
    t.equal(pre.headers['access-control-allow-origin'], undefined, 'a preflight grants nothing');
    t.equal(srv.logs.filter((r) => r.msg === 'client connected' && r.kind === 'web').length, 0, 'no session was created');
    const ok = await post(url, body, { 'content-type': 'application/json; charset=utf-8', origin: `http://${host}`, 'sec-fetch-site': 'same-origin' });
    t.equal(ok.status, 201, 'the page itself (same origin, JSON) still gets its session');
    const health = await healthy.stop();
    t.ok(health.max < HEALTHY_MAX_MS, `healthy client latency max ${fmt(health.max)} ms`);
    t.ok(srv.peakRss < RSS_BOUND_MIB, `peak RSS ${fmt(srv.peakRss)} MiB`);
  } finally {
    await healthy.stop(0);
    await srv.stop();
  }
});

t.test('chat hostile: idle and never-attached web sessions expire', { timeout: 20_000 }, async (t) => {
  const srv = await ChatChild.start({ sessions: { attachMs: 300, idleMs: 400 } });
  try {
    const lurker = await post(srv.http + 'api/session', JSON.stringify({ nick: 'lurker' }));
    const idle = await post(srv.http + 'api/session', JSON.stringify({ nick: 'idler' }));
    t.equal(lurker.status, 201);
    t.equal(idle.status, 201);
    const ev = await request(`${srv.http}api/events?token=${idle.json.token}`);
    t.equal(ev.statusCode, 200);
    let buf = '';
    for await (const chunk of ev.body) buf += chunk.toString(); // ends when the server ends it
    t.match(buf, /data: \{"type":"bye","text":"idle for too long"\}/, 'the idle session was told why, and its stream ended');
    const never = await srv.waitLog((r) => r.msg === 'dropping a web session that never opened its event stream', 5000);
    t.equal(never.why, 'attach');
    const gone = await post(srv.http + 'api/send', JSON.stringify({ token: lurker.json.token, text: 'hi' }));
    t.equal(gone.status, 404, 'the expired session is gone');
    t.ok(srv.peakRss < RSS_BOUND_MIB, `peak RSS ${fmt(srv.peakRss)} MiB`);
  } finally {
    await srv.stop();
  }
});

t.test('chat hostile: a web client dropped as too slow has its connection closed', { timeout: 45_000 }, async (t) => {
  // No line rate, so one sender can fill the stuck stream's buffers quickly.
  const srv = await ChatChild.start({ rate: { perSecond: 0, burst: 0 } });
  const healthy = await Healthy.start(srv.tcp);
  const sender = await LineClient.join(srv.tcp, 'sender');
  let stuck: Socket | null = null;
  try {
    const s = await post(srv.http + 'api/session', JSON.stringify({ nick: 'stuck' }));
    t.equal(s.status, 201);
    const [host, port] = hostPort(srv.http.replace(/^http:\/\/|\/$/g, ''));
    const sock = (stuck = await new Promise<Socket>((resolve, reject) => {
      const c = connect({ host, port }, () => resolve(c));
      c.once('error', reject);
    }));
    sock.on('error', () => {});
    const closed = new Promise<void>((resolve) => sock.once('close', () => resolve()));
    sock.write(`GET /api/events?token=${s.json.token} HTTP/1.1\r\nHost: ${host}:${port}\r\nAccept: text/event-stream\r\n\r\n`);
    // The stream is open once its first event (the welcome) arrives; from then on the client
    // never reads: the stream's writes park, then its outbox fills.
    let head = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no welcome event on the stream: ${head}`)), 5000);
      const onData = (c: Buffer): void => {
        head += c.toString();
        if (!head.includes('"type":"welcome"')) return;
        clearTimeout(timer);
        sock.off('data', onData);
        sock.pause();
        resolve();
      };
      sock.on('data', onData);
    });
    t.match(head, /^HTTP\/1\.1 200 /);

    const big = 'w'.repeat(4000);
    let sent = 0;
    let drop = srv.logs.find((r) => r.kind === 'web' && String(r.msg).startsWith('dropping slow client'));
    while (drop === undefined && sent < 5000) {
      for (let i = 0; i < 100; i++) sender.send(`${sent++} ${big}`);
      await sender.expect(new RegExp(`^\\[lobby\\] <sender> ${sent - 1} `), 15_000);
      drop = srv.logs.find((r) => r.kind === 'web' && String(r.msg).startsWith('dropping slow client'));
    }
    t.ok(drop !== undefined, `the stuck web client was dropped after ${sent} messages of 4 KB`);
    t.match(drop, { nick: 'stuck', why: /^outbox / }, 'with its reason logged');
    // Reading again, the client finds its connection closed by the server (it gets what was
    // already in flight, then end of stream) — it is not left ESTABLISHED with data queued.
    const t0 = performance.now();
    let bytes = 0;
    sock.on('data', (c: Buffer) => (bytes += c.length));
    sock.resume();
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 10_000).unref());
    t.equal(await Promise.race([closed.then(() => 'closed' as const), timeout]), 'closed', `closed by the server (${(bytes / 1048576).toFixed(1)} MiB drained in ${fmt(performance.now() - t0)} ms)`);
    const health = await healthy.stop();
    t.notOk(health.dropped, 'the healthy client stayed');
    t.ok(health.max < HEALTHY_MAX_MS * 2, `healthy client latency p50 ${fmt(health.p50)} ms, max ${fmt(health.max)} ms (it also receives every 4 KB message)`);
    t.ok(srv.peakRss < RSS_BOUND_MIB, `peak RSS ${fmt(srv.peakRss)} MiB < ${RSS_BOUND_MIB} MiB`);
    t.comment(`too-slow web client: dropped after ${sent} messages; peak RSS ${fmt(srv.peakRss)} MiB; healthy max ${fmt(health.max)} ms`);
  } finally {
    stuck?.destroy();
    sender.close();
    await healthy.stop(0);
    await srv.stop();
  }
});
