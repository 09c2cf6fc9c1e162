// Safe defaults against slowloris and memory blow-ups: the documented defaults are the ones in
// force, slow headers are cut at the header timeout, a body over the default limit gets a 413
// without the server's memory growing with it.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_IDLE_TIMEOUT,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_HEADER_BYTES,
  DEFAULT_READ_HEADER_TIMEOUT,
  DEFAULT_READ_TIMEOUT,
  Server,
} from '../../src/http/index.js';
import { repoRoot } from '../../load-tests/lib/env.js';
import { startServer } from '../http/_helpers.js';
import { RawConn, RssSampler, within } from './_raw.js';

t.test('the default limits are the documented ones (ServerOptions docs and the README table)', { timeout: 10_000 }, async (t) => {
  t.equal(DEFAULT_READ_HEADER_TIMEOUT, 10_000, 'readHeaderTimeout 10 s');
  t.equal(DEFAULT_READ_TIMEOUT, 300_000, 'readTimeout 300 s');
  t.equal(DEFAULT_IDLE_TIMEOUT, 5_000, 'idleTimeout 5 s');
  t.equal(DEFAULT_MAX_HEADER_BYTES, 16 * 1024, 'maxHeaderBytes 16 KiB');
  t.equal(DEFAULT_MAX_BODY_BYTES, 1024 * 1024, 'maxBodyBytes 1 MiB');
  t.equal(new Server().maxBodyBytes, DEFAULT_MAX_BODY_BYTES, 'a Server without options uses the default body limit');
  const readme = readFileSync(join(repoRoot(), 'README.md'), 'utf8');
  for (const [opt, val] of [
    ['readHeaderTimeout', '10 s'],
    ['readTimeout', '300 s'],
    ['idleTimeout', '5 s'],
    ['maxHeaderBytes', '16 KiB'],
    ['maxBodyBytes', '1 MiB'],
  ]) {
    t.match(readme, new RegExp(`\\|\\s*\`${opt}\`\\s*\\|\\s*${val}\\s*\\|`), `README table: ${opt} | ${val}`);
  }
});

t.test('slowloris: connections trickling their headers are closed at readHeaderTimeout; a healthy client is served meanwhile', { timeout: 15_000 }, async (t) => {
  const TIMEOUT = 400; // small explicit value so the test is fast; the default (10 s) is asserted above
  const { srv, port } = await startServer((w) => w.write('ok'), { readHeaderTimeout: TIMEOUT });
  const text = 'GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: ' + 'a'.repeat(200) + '\r\n\r\n';
  const slow: RawConn[] = [];
  for (let i = 0; i < 8; i++) slow.push(await RawConn.open(port));
  const t0 = performance.now();
  let sent = 0;
  const trickle = setInterval(() => {
    for (const c of slow) if (!c.isClosed) c.send(text[sent % text.length]!);
    sent++;
  }, 50);
  const healthy = await RawConn.open(port);
  healthy.send('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  t.equal((await healthy.next()).body, 'ok', 'a healthy client is served while the slow ones trickle');
  const cut: number[] = [];
  for (const c of slow) {
    await within(c.closed, 5_000, 'slow connection closed');
    cut.push(performance.now() - t0);
    t.match(c.pending, /^HTTP\/1\.1 408 Request Timeout/, 'answered 408');
  }
  clearInterval(trickle);
  t.ok(sent < text.length, 'cut before their headers were complete');
  const max = Math.max(...cut);
  t.ok(Math.min(...cut) >= TIMEOUT - 50 && max < TIMEOUT + 1_500, `all 8 cut between ${Math.min(...cut).toFixed(0)} and ${max.toFixed(0)} ms (timeout ${TIMEOUT} ms)`);
  healthy.sock.destroy();
  await srv.shutdown();
  t.comment(`PEAK slowloris x8: last connection cut after ${max.toFixed(0)} ms (readHeaderTimeout ${TIMEOUT} ms, bound ${TIMEOUT + 1_500} ms)`);
});

t.test('a body over the default limit (1 MiB) gets a 413 and the server does not buffer it', { timeout: 30_000 }, async (t) => {
  let reads = 0;
  const { srv, port, logs } = await startServer(async (w, r) => {
    reads++;
    const b = await r.readAll(); // a read-whole-body handler: the case the limit protects
    w.write(`read ${b.length}`);
  });

  // Declared length over the limit: 413 at once, no 100 Continue, nothing read.
  const d = await RawConn.open(port);
  d.send(`POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${100 * 1024 * 1024}\r\nExpect: 100-continue\r\n\r\n`);
  const r1 = await d.next();
  t.equal(r1.status, 413, 'declared 100 MiB: 413');
  t.same(r1.interim, [], 'no 100 Continue: the client is not invited to send it');
  t.equal(r1.headers.connection, 'close');
  t.match(r1.body, /Payload Too Large|Content Too Large/);
  await d.closed;

  // Chunked, 100 MiB offered as fast as the server takes it: the server stops at the limit.
  const rss = new RssSampler();
  const c = await RawConn.open(port);
  c.send('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
  const piece = Buffer.concat([Buffer.from('10000\r\n'), Buffer.alloc(0x10000, 'b'), Buffer.from('\r\n')]);
  let offered = 0;
  const TOTAL = 100 * 1024 * 1024;
  while (offered < TOTAL && !c.isClosed && c.pending === '') {
    offered += 0x10000;
    if (!c.sock.write(piece)) await Promise.race([new Promise((r) => c.sock.once('drain', r)), c.news()]);
  }
  const r2 = await within(c.next(), 10_000, '413 response');
  t.equal(r2.status, 413, 'chunked body over 1 MiB: 413');
  await within(c.closed, 10_000, 'connection closed after the 413');
  const m = rss.stop();
  t.ok(offered < TOTAL, `the server stopped taking the body early (${(offered / 1048576).toFixed(1)} MiB of 100 MiB sent)`);
  t.ok(m.growthMiB < 48, `RSS growth ${m.growthMiB} MiB < 48 MiB`);
  t.equal(reads, 2);
  t.same(logs.filter((l) => (l.level as number) >= 50), [], 'a 413 is not an error-level event');

  // The same server still serves a body under the limit.
  const ok = await RawConn.open(port);
  ok.send('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello');
  t.equal((await ok.next()).body, 'read 5');
  ok.sock.destroy();
  await srv.shutdown();
  t.comment(`PEAK 100 MiB chunked POST vs 1 MiB default: ${(offered / 1048576).toFixed(1)} MiB accepted before the 413; RSS ${m.baseMiB} → peak ${m.peakMiB} MiB (+${m.growthMiB}, bound 48)`);
});
