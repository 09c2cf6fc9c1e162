/**
 * The live view (`/debug/strand/`): a page that shows goroutines by state and wait reason, the
 * largest goroutine groups and the runtime's metrics, updated over Server-Sent Events fed from
 * a channel (strand's own SSE: {@link liveFeed} produces snapshots on a channel, `serveSSE` or
 * the Fastify plugin's `reply.sse` streams it).
 *
 * The page is self-contained and loads nothing from elsewhere; it is served with a strict
 * Content-Security-Policy (`default-src 'none'`, script, style and connections from the same
 * origin only, no inline code, no framing). It builds the DOM with `textContent` only: wait
 * reasons and function names come from the program and are never interpreted as HTML.
 *
 * @module
 */

import { chan, go, goroutines, metrics, recvCase, select, sendCase, newTicker, type Context, type RecvChan, type Chan } from '../runtime/index.js';
import { groupGoroutines, type GoroutineGroup } from './debug-profile.js';

/** One update of the live view (the `data:` of each `snapshot` event, as JSON). */
export interface LiveSnapshot {
  /** Milliseconds since the epoch when the snapshot was taken. */
  time: number;
  /** Live goroutines. */
  total: number;
  /** Goroutines by state. */
  byState: Record<string, number>;
  /** Waiting goroutines by wait reason, most first. */
  byWaitReason: [reason: string, count: number][];
  /** The 20 largest groups of identical goroutines (as the `debug=1` profile). */
  groups: GoroutineGroup[];
  /** The runtime's metrics (flattened: name → value). */
  metrics: Record<string, number>;
}

function flatten(prefix: string, o: object, out: Record<string, number>): void {
  for (const [k, v] of Object.entries(o)) {
    if (typeof v === 'number') out[prefix + k] = v;
    else if (v !== null && typeof v === 'object' && !k.startsWith('goroutinesBy') && k !== 'ioWaits') flatten(`${prefix}${k}.`, v as object, out);
  }
}

/** Takes one snapshot of the live view's data. */
export function liveSnapshot(): LiveSnapshot {
  const list = goroutines();
  const m = metrics();
  const flat: Record<string, number> = {};
  flatten('', m, flat);
  return {
    time: Date.now(),
    total: list.length,
    byState: { ...m.goroutinesByState },
    byWaitReason: Object.entries(m.goroutinesByWaitReason).sort((a, b) => b[1] - a[1]),
    groups: groupGoroutines(list).slice(0, 20),
    metrics: flat,
  };
}

/** Sends a snapshot at once and then every `intervalMs` until `ctx` is done; closes `ch` then. */
async function produce(ctx: Context, ch: Chan<LiveSnapshot>, intervalMs: number): Promise<void> {
  const ticker = newTicker(intervalMs);
  const done = recvCase(ctx.done());
  try {
    for (;;) {
      if ((await select([sendCase(ch, liveSnapshot()), done])) === 1) return;
      if ((await select([recvCase(ticker.c), done])) === 1) return;
    }
  } finally {
    ticker.stop();
    ch.close();
  }
}

/**
 * A channel of live-view snapshots: one at once, then one every `intervalMs`, until `ctx` is
 * done (the channel is then closed). The producer is a goroutine that selects on `ctx.done()`
 * around each send, so a departed client releases it.
 */
export function liveFeed(ctx: Context, intervalMs = 1000): RecvChan<LiveSnapshot> {
  const ch = chan<LiveSnapshot>();
  go(produce, ctx, ch, Math.max(50, intervalMs));
  return ch;
}

/** The Content-Security-Policy of every live-view response. */
export const LIVE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** The page. `events` is the SSE URL relative to the page. */
export const LIVE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>strand: goroutines</title>
<link rel="icon" href="favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="live.css">
<script src="live.js" defer></script>
</head>
<body>
<header><h1>strand runtime</h1><p id="status" role="status">connecting…</p></header>
<main>
<section><h2>Goroutines by state</h2>
<table id="by-state"><thead><tr><th>state</th><th>count</th></tr></thead><tbody></tbody></table></section>
<section><h2>Waiting, by wait reason</h2>
<table id="by-reason"><thead><tr><th>wait reason</th><th>count</th></tr></thead><tbody></tbody></table></section>
<section class="wide"><h2>Largest groups</h2>
<table id="groups"><thead><tr><th>count</th><th>state</th><th>function</th><th>created by</th></tr></thead><tbody></tbody></table></section>
<section class="wide"><h2>Metrics</h2>
<table id="metrics"><thead><tr><th>metric</th><th>value</th></tr></thead><tbody></tbody></table></section>
</main>
<footer><a href="../pprof/goroutine?debug=1">goroutine?debug=1</a> · <a href="../pprof/goroutine?debug=2">debug=2</a> · <a href="../pprof/goroutineleak?debug=1">goroutineleak</a> · <a href="../../metrics">metrics</a></footer>
</body>
</html>
`;

/** The page's icon (so the browser does not ask for a /favicon.ico that is not there). */
export const LIVE_ICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" fill="#0a7"/></svg>\n';

/** The page's stylesheet. */
export const LIVE_CSS = `body{font:14px/1.4 system-ui,sans-serif;margin:1rem 2rem;color:#222;background:#fafafa}
h1{font-size:1.3rem;margin:0}h2{font-size:1rem;margin:.5rem 0}header{display:flex;gap:1rem;align-items:baseline}
main{display:grid;grid-template-columns:1fr 1fr;gap:1rem}.wide{grid-column:1/3}
table{border-collapse:collapse;width:100%;background:#fff}th,td{border:1px solid #ddd;padding:2px 6px;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}#status{color:#666}#status.live{color:#080}#status.down{color:#a00}
`;

/** The page's script: subscribes to `events` and redraws the tables from each snapshot. */
export const LIVE_JS = `'use strict';
(function () {
  const status = document.getElementById('status');
  function fill(id, rows) {
    const body = document.querySelector('#' + id + ' tbody');
    const out = document.createDocumentFragment();
    for (const cells of rows) {
      const tr = document.createElement('tr');
      for (const c of cells) {
        const td = document.createElement('td');
        td.textContent = String(c);
        if (typeof c === 'number') td.className = 'n';
        tr.appendChild(td);
      }
      out.appendChild(tr);
    }
    body.replaceChildren(out);
  }
  function num(v) { return Number.isInteger(v) ? v : Number(v.toPrecision(4)); }
  const es = new EventSource('events');
  es.addEventListener('snapshot', function (e) {
    const s = JSON.parse(e.data);
    status.textContent = s.total + ' goroutines, ' + new Date(s.time).toLocaleTimeString();
    status.className = 'live';
    fill('by-state', Object.entries(s.byState));
    fill('by-reason', s.byWaitReason);
    fill('groups', s.groups.map(function (g) { return [g.count, g.state === 'waiting' ? g.waitReason : g.state, g.fn, g.createdBy || '']; }));
    fill('metrics', Object.entries(s.metrics).map(function (kv) { return [kv[0], num(kv[1])]; }));
  });
  es.onerror = function () { status.textContent = 'disconnected (retrying)'; status.className = 'down'; };
})();
`;
