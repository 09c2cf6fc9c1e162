import t from 'tap';
import { fastify } from 'fastify';
import { chan, go, goroutines, StrandError, type Chan } from '../../src/index.js';
import { ServeMux, registerDebug, listenDebug, httpCodes } from '../../src/http/index.js';
import { strand, strandDebug } from '../../src/http/fastify/index.js';
import { startServer } from './_helpers.js';
import { parsePrometheus } from './_prom.js';

const N = 10_000;

/** Parks `n` goroutines running `parkedWorker` on `ch`; resolves when all are parked. */
function parkMany(ch: Chan<void>, n: number): void {
  for (let i = 0; i < n; i++) go(async function parkedWorker() { await ch.recv(); });
}

/** Fetches `url` three times (after the client and server are warm); the median time, the last body. */
async function timed(url: string): Promise<{ ms: number; bytes: number; text: string; res: Response }> {
  const times: number[] = [];
  let res: Response | null = null;
  let text = '';
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    res = await fetch(url);
    text = await res.text();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { ms: times[1]!, bytes: Buffer.byteLength(text), text, res: res! };
}

t.test(`debug handler on a real server with ${N} parked goroutines: debug=1, debug=2, json`, { timeout: 60_000 }, async (t) => {
  const mux = new ServeMux();
  registerDebug(mux);
  const srv = await startServer(mux);
  const ch = chan<void>();
  parkMany(ch, N);
  try {
    await (await fetch(`${srv.base}/debug/pprof/`)).text(); // warm the client and the server
    const d1 = await timed(`${srv.base}/debug/pprof/goroutine?debug=1`);
    t.equal(d1.res.status, 200);
    t.match(d1.res.headers.get('content-type'), /^text\/plain/);
    t.match(d1.text, /goroutine profile: total \d+\n/);
    t.match(d1.text, new RegExp(`^goroutine profile: total \\d+\\n${N} @ \\[chan receive\\] parkedWorker\\n#\\t`, 'm'), 'the largest group first, with its count');
    const d2 = await timed(`${srv.base}/debug/pprof/goroutine?debug=2`);
    t.equal(d2.res.status, 200);
    t.equal((d2.text.match(/^goroutine \d+ \[chan receive, \d+ ms\]:\nparkedWorker\(\.\.\.\)$/gm) ?? []).length, N, 'every goroutine in traceback form');
    const js = await timed(`${srv.base}/debug/pprof/goroutine?format=json`);
    t.match(js.res.headers.get('content-type'), /^application\/json/);
    const body = JSON.parse(js.text) as { version: number; profile: string; total: number; attribution: string; groups: { count: number; fn: string; state: string; waitReason: string }[]; goroutines: { id: number; fn: string; state: string }[] };
    t.equal(body.version, 1);
    t.equal(body.profile, 'goroutine');
    t.equal(body.total, body.goroutines.length);
    t.ok(body.total >= N);
    t.match(body.groups[0], { count: N, fn: 'parkedWorker', state: 'waiting', waitReason: 'chan receive' });
    t.equal(body.goroutines.filter((g) => g.fn === 'parkedWorker').length, N);
    const table = [d1, d2, js].map((r, i) => `${['debug=1', 'debug=2', 'json'][i]}: ${r.ms.toFixed(1)} ms (median of 3), ${r.bytes} bytes`);
    t.comment(`${N} parked goroutines — ${table.join('; ')}`);
    console.log(`# MEASURE ${N} parked goroutines — ${table.join('; ')}`);
  } finally {
    ch.close();
    await srv.srv.shutdown();
  }
});

const EXPECTED: Record<string, string> = {
  strand_goroutines: 'gauge',
  strand_goroutines_waiting: 'gauge',
  strand_goroutines_started_total: 'counter',
  strand_goroutines_exited_total: 'counter',
  strand_goroutines_leaked: 'gauge',
  strand_wakeups_total: 'counter',
  strand_budget_yields_total: 'counter',
  strand_timers_started_total: 'counter',
  strand_io_waits: 'gauge',
  strand_event_loop_utilization_ratio: 'gauge',
  strand_event_loop_active_seconds_total: 'counter',
  strand_event_loop_idle_seconds_total: 'counter',
  strand_event_loop_delay_seconds: 'gauge',
  strand_heap_used_bytes: 'gauge',
  strand_heap_total_bytes: 'gauge',
  strand_external_memory_bytes: 'gauge',
  strand_resident_memory_bytes: 'gauge',
};

t.test('/metrics: strict Prometheus text, strand_ names with units, values that follow the runtime', { timeout: 20_000 }, async (t) => {
  const mux = new ServeMux();
  registerDebug(mux);
  const srv = await startServer(mux);
  const ch = chan<void>();
  parkMany(ch, 25);
  try {
    const res = await fetch(`${srv.base}/metrics`);
    t.equal(res.status, 200);
    t.match(res.headers.get('content-type'), /^text\/plain; version=0\.0\.4; charset=utf-8$/);
    const fams = parsePrometheus(await res.text());
    t.same([...fams.keys()].sort(), Object.keys(EXPECTED).sort(), 'exactly the documented families');
    for (const [name, f] of fams) {
      t.equal(f.type, EXPECTED[name], `${name} is a ${EXPECTED[name]}`);
      t.ok(f.help !== undefined && f.help !== '', `${name} has a HELP`);
      t.ok(name.startsWith('strand_'), `${name} is strand_ prefixed`);
      if (f.type === 'counter') t.match(name, /_total$/, `counter ${name} ends in _total`);
      for (const s of f.samples) t.ok(Number.isFinite(s.value), `${s.name} ${JSON.stringify(s.labels)} is a finite number`);
    }
    const waiting = fams.get('strand_goroutines_waiting')!.samples.find((s) => s.labels.reason === 'chan receive');
    t.ok(waiting !== undefined && waiting.value >= 25, `25+ goroutines waiting on "chan receive" (${waiting?.value})`);
    const byState = fams.get('strand_goroutines')!.samples.find((s) => s.labels.state === 'waiting');
    t.ok(byState !== undefined && byState.value >= 25);
    t.same(fams.get('strand_event_loop_delay_seconds')!.samples.map((s) => s.labels.stat).sort(), ['max', 'mean', 'min', 'p50', 'p90', 'p99']);
    const started = fams.get('strand_goroutines_started_total')!.samples[0]!.value;
    go(async function oneMore() {});
    const again = parsePrometheus(await (await fetch(`${srv.base}/metrics`)).text());
    t.ok(again.get('strand_goroutines_started_total')!.samples[0]!.value > started, 'the started counter moved between scrapes');
  } finally {
    ch.close();
    await srv.srv.shutdown();
  }
});

t.test('parsePrometheus (the test checker) is strict', { timeout: 5_000 }, async (t) => {
  t.throws(() => parsePrometheus('x 1'), /newline/);
  t.throws(() => parsePrometheus('# TYPE x countr\nx 1\n'), /unknown type/);
  t.throws(() => parsePrometheus('x{a="1} 1\n'), /bad labels/);
  t.throws(() => parsePrometheus('x 1\ny 1\nx 2\n'), /not contiguous/);
  t.throws(() => parsePrometheus('x one\n'), /bad value/);
  t.doesNotThrow(() => parsePrometheus('# HELP x a \\\\ b\n# TYPE x gauge\nx{a="q\\"z"} -Inf\n'));
});

t.test('debug handler: index, live page assets with a strict CSP, 404 for unknown profiles, 405 for other methods', { timeout: 10_000 }, async (t) => {
  const mux = new ServeMux();
  registerDebug(mux);
  const srv = await startServer(mux);
  try {
    const idx = await fetch(`${srv.base}/debug/pprof/`);
    t.equal(idx.status, 200);
    t.match(await idx.text(), /goroutineleak/);
    for (const [p, type] of [['/debug/strand/', /^text\/html/], ['/debug/strand/live.js', /^text\/javascript/], ['/debug/strand/live.css', /^text\/css/]] as const) {
      const r = await fetch(srv.base + p);
      t.equal(r.status, 200, p);
      t.match(r.headers.get('content-type'), type);
      t.match(r.headers.get('content-security-policy'), /default-src 'none'; script-src 'self'/);
      t.equal(r.headers.get('x-content-type-options'), 'nosniff');
      await r.text();
    }
    const redirect = await fetch(`${srv.base}/debug/strand`, { redirect: 'manual' });
    t.equal(redirect.status, 301);
    const unknown = await fetch(`${srv.base}/debug/pprof/heap`);
    t.equal(unknown.status, 404);
    t.equal(await unknown.text(), 'Unknown profile\n');
    const post = await fetch(`${srv.base}/debug/pprof/goroutine`, { method: 'POST' });
    t.equal(post.status, 405);
    t.equal(post.headers.get('allow'), 'GET, HEAD');
    await post.text();
    // The SSE stream: the first event is a snapshot.
    const ac = new AbortController();
    const ev = await fetch(`${srv.base}/debug/strand/events`, { signal: ac.signal });
    t.match(ev.headers.get('content-type'), /^text\/event-stream/);
    const reader = ev.body!.getReader();
    let buf = '';
    while (!buf.includes('\n\n')) buf += new TextDecoder().decode((await reader.read()).value);
    t.match(buf, /^event: snapshot\ndata: \{"time":\d+,"total":\d+,"byState":/);
    ac.abort();
  } finally {
    await srv.srv.shutdown();
  }
});

t.test('listenDebug: loopback only', { timeout: 10_000 }, async (t) => {
  for (const addr of [':0', '0.0.0.0:0', '[::]:0', '192.0.2.1:6060', '10.0.0.1:0', 'example.com:6060']) {
    await t.rejects(listenDebug(addr), { code: httpCodes.NOT_LOOPBACK, message: /is not loopback/ }, `${addr} refused`);
  }
  const dbg = await listenDebug('127.0.0.1:0');
  t.match(dbg.addr, /^127\.0\.0\.1:\d+$/);
  const r = await fetch(`http://${dbg.addr}/debug/pprof/goroutine?debug=1`);
  t.equal(r.status, 200);
  await r.text();
  await dbg.server.shutdown();
  const err = await listenDebug('example.com:1').catch((e: unknown) => e);
  t.ok(err instanceof StrandError, 'a StrandError (HttpError)');
});

t.test('Fastify: strandDebug serves the same pages (goroutine profile, metrics, live events)', { timeout: 20_000 }, async (t) => {
  const app = fastify();
  await app.register(strand);
  await app.register(strandDebug, { liveInterval: 100 });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const ch = chan<void>();
  for (let i = 0; i < 7; i++) go(async function fastifyParked() { await ch.recv(); });
  try {
    const d1 = await (await fetch(`${base}/debug/pprof/goroutine?debug=1`)).text();
    t.match(d1, /^7 @ \[chan receive\] fastifyParked$/m);
    const d2 = await (await fetch(`${base}/debug/pprof/goroutine?debug=2`)).text();
    t.equal((d2.match(/\nfastifyParked\(\.\.\.\)\n/g) ?? []).length, 7);
    const js = (await (await fetch(`${base}/debug/pprof/goroutine?format=json`)).json()) as { goroutines: unknown[] };
    t.ok(js.goroutines.length >= 7);
    const m = await fetch(`${base}/metrics`);
    t.match(m.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
    t.ok(parsePrometheus(await m.text()).has('strand_goroutines'));
    const page = await fetch(`${base}/debug/strand/`);
    t.match(page.headers.get('content-security-policy'), /default-src 'none'/);
    await page.text();
    const ac = new AbortController();
    const ev = await fetch(`${base}/debug/strand/events`, { signal: ac.signal });
    t.match(ev.headers.get('content-type'), /^text\/event-stream/);
    const reader = ev.body!.getReader();
    let buf = '';
    while (!buf.includes('\n\n')) buf += new TextDecoder().decode((await reader.read()).value);
    t.match(buf, /^event: snapshot\ndata: \{/);
    ac.abort();
    t.ok(goroutines().length > 0);
  } finally {
    ch.close();
    await app.close();
  }
});
