import t from 'tap';
import { connect } from 'node:net';
import {
  spawnServer,
  waitForPort,
  freePort,
  sampleProcess,
  readProc,
  median,
  percentile,
  percentiles,
  mean,
  medianMetrics,
  markdownTable,
  rowsTable,
  ratiosByCase,
  formatNumber,
  machineInfo,
  goToolchain,
  buildGo,
  repoRoot,
  type Row,
} from '../../load-tests/lib/index.js';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A tiny TCP server following the READY convention; port from argv (0 = any). */
const SERVER = `
const net = require('node:net');
const s = net.createServer((c) => c.pipe(c));
s.listen(Number(process.argv[1] ?? 0), '127.0.0.1', () => console.log('READY ' + s.address().port));
process.on('SIGTERM', () => { s.close(); process.exit(0); });
`;

function roundTrip(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = connect({ host: '127.0.0.1', port }, () => c.end('ping'));
    let got = '';
    c.setEncoding('utf8');
    c.on('data', (d: string) => (got += d));
    c.on('end', () => resolve(got));
    c.on('error', reject);
  });
}

t.test('spawnServer() waits for the READY line and reports the port; stop() ends it', { timeout: 15_000 }, async (t) => {
  const srv = await spawnServer(process.execPath, ['-e', SERVER, '0']);
  t.ok(srv.port > 0, 'port from the READY line');
  t.equal(await roundTrip(srv.port), 'ping', 'server accepts on 127.0.0.1');
  t.equal(await srv.stop(), 0, 'SIGTERM → exit 0');
  t.equal(await srv.stop(), 0, 'stop() is idempotent');
});

t.test('spawnServer() with readyPort polls until the port accepts', { timeout: 15_000 }, async (t) => {
  const port = await freePort();
  const srv = await spawnServer(process.execPath, ['-e', `setTimeout(() => {${SERVER}}, 300)`, String(port)], { readyPort: port });
  t.equal(srv.port, port);
  t.equal(await roundTrip(port), 'ping');
  await srv.stop();
});

t.test('spawnServer() fails clearly when the server exits before ready', { timeout: 15_000 }, async (t) => {
  await t.rejects(
    spawnServer(process.execPath, ['-e', 'console.error("boom: bad flag"); process.exit(3)'], { name: 'broken' }),
    /server "broken" exited \(3\) before printing a line matching[\s\S]*boom: bad flag/,
  );
});

t.test('spawnServer() fails after timeoutMs and kills a server that never gets ready', { timeout: 15_000 }, async (t) => {
  const started = Date.now();
  await t.rejects(
    spawnServer(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { timeoutMs: 300, graceMs: 200, name: 'mute' }),
    /server "mute" printed no line matching .* within 300 ms/,
  );
  t.ok(Date.now() - started < 5_000, 'bounded wait');
});

t.test('stop() escalates to SIGKILL when SIGTERM is ignored', { timeout: 15_000 }, async (t) => {
  const srv = await spawnServer(
    process.execPath,
    ['-e', `process.on('SIGTERM', () => {}); console.log('READY 1'); setInterval(() => {}, 1000)`],
    { graceMs: 200 },
  );
  t.equal(await srv.stop(), 'SIGKILL');
});

t.test('waitForPort() rejects within its bound when nothing listens', { timeout: 10_000 }, async (t) => {
  const port = await freePort();
  await t.rejects(waitForPort(port, { timeoutMs: 200 }), /did not accept connections within 200 ms/);
});

t.test('sampleProcess() reports CPU % and RSS of a busy process', { timeout: 15_000 }, async (t) => {
  const srv = await spawnServer(process.execPath, ['-e', `console.log('READY 1'); const end = Date.now() + 5000; while (Date.now() < end) {}`]);
  const s = sampleProcess(srv.pid, { intervalMs: 50 });
  await new Promise((r) => setTimeout(r, 600));
  const st = s.stop();
  await srv.stop();
  t.ok(st.samples >= 3, `samples: ${st.samples}`);
  t.ok(st.cpuPct > 30 && st.cpuPct < 150, `busy loop ≈ one core: ${st.cpuPct}`);
  t.ok(st.rssMb > 5 && st.rssMb < 500, `rss ${st.rssMb} MiB`);
  t.same(s.stop(), st, 'stop() is idempotent');
  t.equal(readProc(2 ** 22 + 7), undefined, 'no such process → undefined');
});

t.test('median(), percentile(), percentiles(), mean() follow linear interpolation', { timeout: 5_000 }, async (t) => {
  t.equal(median([3, 1, 2]), 2);
  t.equal(median([4, 1, 3, 2]), 2.5);
  t.ok(Number.isNaN(median([])));
  t.equal(percentile([1, 2, 3, 4, 5], 0), 1);
  t.equal(percentile([1, 2, 3, 4, 5], 100), 5);
  t.equal(percentile([1, 2, 3, 4], 50), 2.5);
  t.same(percentiles([10, 1, 5], [0, 50, 100]), [1, 5, 10]);
  t.throws(() => percentile([1], 101), RangeError);
  t.equal(mean([1, 2, 3]), 2);
  t.same(medianMetrics([{ rps: 10, p99: 1 }, { rps: 30 }, { rps: 20, p99: 3 }]), { rps: 20, p99: 2 });
});

t.test('markdownTable() renders aligned columns and escapes pipes', { timeout: 5_000 }, async (t) => {
  const md = markdownTable([{ impl: 'a|b', rps: 51234.4 }], ['impl', { key: 'rps', title: 'req/s' }]);
  t.equal(md, '| impl | req/s |\n| :--- | ---: |\n| a\\|b | 51,234 |');
  t.equal(formatNumber(NaN), '—');
  t.equal(formatNumber(0.01234), '0.0123');
  t.equal(formatNumber(12.345, 1), '12.3');
});

t.test('rowsTable() and ratiosByCase() compare each case with its baseline', { timeout: 5_000 }, async (t) => {
  const rows: Row[] = [
    { case: 'c1', impl: 'node', metrics: { rps: 100, p99_ms: 2 } },
    { case: 'c1', impl: 'strand', metrics: { rps: 95, p99_ms: 2.2 } },
    { case: 'c2', impl: 'strand', metrics: { rps: 10 } },
  ];
  const r = ratiosByCase(rows, 'node', 'rps');
  t.equal(r.c1!.strand, 0.95);
  t.ok(Number.isNaN(r.c2!.strand!));
  const md = rowsTable(rows, { metrics: [{ key: 'rps', title: 'req/s' }, 'p99_ms'], baseline: 'node' });
  t.match(md, /\| case \| implementation \| req\/s \| p99_ms \| × node \|/);
  t.match(md, /\| c1 \| strand \| 95.0 \| 2.20 \| 0.95× \|/);
  t.match(md, /\| c2 \| strand \| 10.0 \| — \| — \|/);
});

t.test('machineInfo() and goToolchain() describe this machine', { timeout: 15_000 }, async (t) => {
  const m = machineInfo();
  t.ok(m.cores >= 1);
  t.ok(m.memoryGb > 0);
  t.equal(m.node, process.version);
  const go = goToolchain();
  t.equal(m.go, go.available ? go.short : null);
  if (!go.available) t.match(go.reason, /go/);
  t.ok(existsSync(join(repoRoot(), 'package.json')));
});

t.test('buildGo() builds a Go peer that follows the READY convention (or fails clearly without Go)', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'strand-go-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'peer'));
  writeFileSync(
    join(dir, 'peer', 'main.go'),
    `package main

import (
	"fmt"
	"net"
)

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	fmt.Printf("READY %d\\n", ln.Addr().(*net.TCPAddr).Port)
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() { buf := make([]byte, 64); for { n, err := c.Read(buf); if err != nil { c.Close(); return }; c.Write(buf[:n]) } }()
	}
}
`,
  );
  if (!goToolchain().available) {
    await t.rejects(buildGo(join(dir, 'peer'), join(dir, 'bin')), /cannot build .*`go` is not installed/);
    return;
  }
  const bin = await buildGo(join(dir, 'peer'), join(dir, 'bin'));
  t.equal(bin, join(dir, 'bin', 'peer'));
  const srv = await spawnServer(bin, []);
  t.equal(await roundTrip(srv.port), 'ping', 'the Go peer echoes on 127.0.0.1');
  t.equal(await srv.stop(), 'SIGTERM', 'Go exits on SIGTERM');
  await t.rejects(buildGo(join(dir, 'nothing'), join(dir, 'bin')), /ENOENT|no \.go files/);
});
