/**
 * The procs supervisor with real processes on real loopback sockets: restart after SIGKILL, a
 * worker's panic kills only that worker, a start-up crash loop makes it give up. Run on Node 20
 * (node:cluster sharing) and Node 22.12+/24 (reusePort) alike.
 */
import t, { type Test } from 'tap';
import { connect } from 'node:net';
import { fixture, freePort, start, type Proc } from './_helpers.js';

/** Connects to the panicky fixture: resolves with the serving worker's id and pid, then sends `then`. */
function whoServes(port: number, then = 'bye', ms = 5_000): Promise<{ id: number; pid: number }> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    let got = '';
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`no greeting within ${ms} ms`));
    }, ms);
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      got += d;
      const m = /^(\d+) (\d+)\n/.exec(got);
      if (m) {
        clearTimeout(timer);
        s.end(then);
        resolve({ id: Number(m[1]), pid: Number(m[2]) });
      }
    });
    s.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

async function startPanicky(t: Test, procs: number): Promise<{ p: Proc; port: number }> {
  const port = await freePort();
  const p = start(fixture('panicky'), ['--addr', `127.0.0.1:${port}`, '--procs', String(procs)]);
  t.teardown(async () => {
    p.child.kill('SIGKILL');
    await p.exited;
  });
  for (let id = 1; id <= procs; id++) await p.until(new RegExp(`^listening worker=${id} `));
  return { p, port };
}

t.test('procs: a worker killed with SIGKILL is restarted and the port keeps serving', { timeout: 30_000 }, async (t) => {
  const { p, port } = await startPanicky(t, 2);
  const first = await p.until(/^listening worker=1 pid=(\d+)/);
  const victim = Number(first[1]);
  const mark = p.lines().length;
  process.kill(victim, 'SIGKILL');
  await p.until(new RegExp(`procs: worker 1 \\(pid ${victim}\\) exited with signal SIGKILL; restarting`), 10_000, mark);
  const again = await p.until(/^listening worker=1 pid=(\d+)/, 10_000, mark);
  t.not(Number(again[1]), victim, 'a new process in slot 1');
  // Both slots serve the port again.
  const seen = new Set<number>();
  for (let i = 0; i < 200 && seen.size < 2; i++) seen.add((await whoServes(port)).id);
  t.same([...seen].sort(), [1, 2], 'both workers serve the port');
  p.child.kill('SIGTERM');
  t.equal(await p.exited, 0, 'drains and exits 0');
});

t.test('procs: a panic kills only that worker, which is restarted', { timeout: 30_000 }, async (t) => {
  const { p, port } = await startPanicky(t, 2);
  const mark = p.lines().length;
  const w = await whoServes(port, 'panic');
  await p.until(new RegExp(`^panic: panic requested in worker ${w.id}`), 10_000, mark);
  await p.until(new RegExp(`procs: worker ${w.id} \\(pid ${w.pid}\\) exited with exit status 2; restarting`), 10_000, mark);
  await p.until(new RegExp(`^listening worker=${w.id} `), 10_000, mark);
  const other = w.id === 1 ? 2 : 1;
  t.notMatch(p.lines().slice(mark).join('\n'), new RegExp(`procs: worker ${other} `), 'the other worker lived on');
  const after = await whoServes(port);
  t.ok(after.pid !== w.pid, 'served by a live worker');
  p.child.kill('SIGTERM');
  t.equal(await p.exited, 0);
});

t.test('procs: workers crashing at start-up make the supervisor give up with a clear error', { timeout: 30_000 }, async (t) => {
  const p = start(fixture('crash'), []);
  t.teardown(() => void p.child.kill('SIGKILL'));
  const code = await p.exited;
  t.equal(code, 1, 'exit status 1');
  t.match(p.stderr(), /panic: crash at start-up/);
  t.match(p.stderr(), /procs: giving up: workers crashed 5 times within 10 s before any of them listened \(last: worker \d, exit status 2\) \[STRAND_ERR_PROCS_START_FAILED\]/);
});

t.test('procs: SIGINT drains too; a second signal is not needed', { timeout: 30_000 }, async (t) => {
  const { p } = await startPanicky(t, 2);
  p.child.kill('SIGINT');
  t.equal(await p.exited, 0);
  t.notMatch(p.stderr(), /restarting/);
});
