/**
 * The echo example under strand/procs (`--procs N`, `STRAND_PROCS`): served from N worker
 * processes on one port, drained by SIGTERM to the primary, every worker's dump on SIGQUIT, and
 * `--procs 1` in-process with no supervisor. The example logs (pino, JSON on stdout) carry the
 * serving process's pid and worker number.
 */
import t, { type Test } from 'tap';
import { connect } from 'node:net';
import { echoMain, freePort, records, roundTrip, start, type Proc } from './_helpers.js';

async function startEcho(t: Test, args: string[], env: Record<string, string> = {}): Promise<{ p: Proc; port: number }> {
  const port = await freePort();
  const p = start(echoMain, ['--addr', `127.0.0.1:${port}`, ...args], { LOG_LEVEL: 'info', ...env });
  t.teardown(async () => {
    p.child.kill('SIGKILL');
    await p.exited;
  });
  return { p, port };
}

/** Waits until `n` processes logged "echo: listening"; returns their pids by worker number. */
async function listening(p: Proc, n: number): Promise<Map<number, number>> {
  for (;;) {
    const recs = records(p).filter((r) => r.msg === 'echo: listening');
    if (recs.length >= n) return new Map(recs.map((r) => [Number(r.worker ?? 0), Number(r.pid)]));
    await p.until(/"msg":"echo: listening"/, 15_000, p.lines().length);
  }
}

t.test('echo --procs 2: connections are served by two different worker processes', { timeout: 30_000 }, async (t) => {
  const { p, port } = await startEcho(t, ['--procs', '2']);
  const workers = await listening(p, 2);
  t.same([...workers.keys()].sort(), [1, 2], 'workers 1 and 2 listen');
  t.not(workers.get(1), workers.get(2));
  t.notOk([...workers.values()].includes(p.pid), 'the primary itself serves nothing');
  // Distribution is the kernel's (reusePort: a hash of the 4-tuple) or round-robin (cluster):
  // bounded attempts until both have served.
  const served = new Set<number>();
  for (let i = 0; i < 200 && served.size < 2; i++) {
    t.equal(await roundTrip(port, `hello ${i}\n`), `hello ${i}\n`);
    await p.until(/"msg":"echo: connection closed"/, 5_000, 0);
    for (const r of records(p)) if (r.msg === 'echo: connection open') served.add(Number(r.pid));
  }
  t.same([...served].sort(), [...workers.values()].sort(), 'both worker pids served connections');
  p.child.kill('SIGTERM');
  t.equal(await p.exited, 0);
});

t.test('echo STRAND_PROCS=2: SIGTERM to the primary drains every worker and exits 0', { timeout: 30_000 }, async (t) => {
  const { p, port } = await startEcho(t, [], { STRAND_PROCS: '2' });
  await listening(p, 2);
  // An open connection is closed by the drain (the example closes its connections on a stop).
  const open = connect(port, '127.0.0.1');
  const closed = new Promise<void>((resolve) => open.on('close', () => resolve()));
  open.on('error', () => {});
  await new Promise<void>((resolve) => open.once('connect', () => resolve()));
  await p.until(/"msg":"echo: connection open"/);
  p.child.kill('SIGTERM');
  t.equal(await p.exited, 0, 'the primary exits 0');
  await closed;
  const stopped = records(p).filter((r) => r.msg === 'echo: stopped').map((r) => Number(r.worker));
  t.same(stopped.sort(), [1, 2], 'each worker drained and stopped');
  t.notMatch(p.stderr(), /restarting/, 'no restart during the drain');
});

t.test('echo --procs 2: SIGQUIT prints every worker\'s goroutine dump, labelled, and nobody dies', { timeout: 30_000 }, async (t) => {
  const { p, port } = await startEcho(t, ['--procs', '2']);
  const workers = await listening(p, 2);
  p.child.kill('SIGQUIT');
  await p.until(/^--- worker 2 \(pid \d+\) ---$/);
  await p.until(/^goroutine \d+ \[chan receive.*\]:$/);
  const text = p.stderr();
  for (const [id, pid] of workers) t.match(text, `--- worker ${id} (pid ${pid}) ---\n`, `worker ${id} labelled`);
  t.match(text, /SIGQUIT: goroutine dumps of 2 workers/);
  // Each section holds that worker's goroutines: its accept loop (main) and stopOnSignal.
  const sections = text.split(/^--- worker \d+ \(pid \d+\) ---$/m).slice(1);
  t.equal(sections.length, 2);
  for (const s of sections) {
    t.match(s, /goroutine 1 \[IO wait/, 'the accept loop');
    t.match(s, /stopOnSignal\(\.\.\.\)/, 'the signal goroutine');
  }
  t.equal(await roundTrip(port, 'still here\n'), 'still here\n', 'still serving after SIGQUIT');
  t.notMatch(text, /restarting/, 'no worker died');
  p.child.kill('SIGTERM');
  t.equal(await p.exited, 0);
});

t.test('echo --procs 1: runs in-process, no supervisor', { timeout: 30_000 }, async (t) => {
  const { p, port } = await startEcho(t, ['--procs', '1']);
  const workers = await listening(p, 1);
  t.same([...workers.entries()], [[0, p.pid]], 'the started process itself listens (no worker number)');
  t.equal(await roundTrip(port, 'one\n'), 'one\n');
  const open = records(p).filter((r) => r.msg === 'echo: connection open');
  t.ok(open.length >= 1 && open.every((r) => r.pid === p.pid), 'served by the started process');
  p.child.kill('SIGTERM');
  t.equal(await p.exited, 0);
  t.notMatch(p.stderr(), /procs:/, 'no supervisor output');
});
