/**
 * The process boundary, in child processes (goroutine.ts, "The process boundary"): with main()
 * Go's rules (main returns → exit; main throws → panic; main and everything else blocked →
 * deadlock); without it Node's rule (parked goroutines left behind are a leak, exit 0), and a
 * deadlock only when code outside goroutines is itself blocked on a strand operation.
 */
import { connect } from 'node:net';
import t from 'tap';
import { attribution } from '../../src/index.js';
import { runFixture, type ChildResult } from './_util.js';

const opts = { timeout: 30_000 }; // child processes: generous on a loaded machine
const FATAL = 'fatal error: all goroutines are asleep - deadlock!\n';
const exact = attribution() === 'async-context-frame';

/**
 * The fatal report comes first — except that with resume-hook attribution a top-level deadlock is
 * confirmed by Node's own unsettled-top-level-await check, and Node 22+ prints its warning first.
 */
function fatalFirst(r: ChildResult): boolean {
  const i = r.stderr.indexOf(FATAL);
  return i === 0 || (i > 0 && !exact && r.stderr.slice(0, i).includes('Detected unsettled top-level await'));
}

const parked: [mode: string, reason: string, fn: string][] = [
  ['recv', 'chan receive', 'worker'],
  ['send', 'chan send', 'blockedSender'],
  ['nil-recv', 'chan receive (nil chan)', 'nilReceiver'],
  ['nil-send', 'chan send (nil chan)', 'nilSender'],
  ['select-empty', 'select (no cases)', 'emptySelect'],
  ['select-nil', 'select (no cases)', 'nilSelect'],
];

function header(id: number, reason: string, fn: string): RegExp {
  return new RegExp(`\\ngoroutine ${id} \\[${reason.replace(/[()]/g, '\\$&')}, \\d+ ms\\]:\\n${fn}\\(\\.\\.\\.\\)\\n`);
}

for (const [mode, reason, fn] of parked) {
  t.test(`exit: without main, a goroutine left parked on "${reason}" is a leak: exit 0, no report (${mode})`, opts, async (t) => {
    const r = await runFixture('deadlock', { args: [mode] });
    t.equal(r.code, 0, 'exit status 0');
    t.equal(r.stdout, 'top level done\n');
    t.equal(r.stderr, '', 'nothing on stderr unless asked');
  });

  t.test(`deadlock: main blocked while a goroutine is parked on "${reason}" is reported with the dump, exit 2 (${mode})`, opts, async (t) => {
    const r = await runFixture('deadlock', { args: [`main-${mode}`] });
    t.equal(r.code, 2, 'exit status 2');
    t.ok(r.stderr.startsWith(FATAL), 'fatal error line first');
    t.match(r.stderr, header(1, 'chan receive', 'main'), 'the main goroutine is goroutine 1');
    t.match(r.stderr, header(2, reason, fn), 'the dump shows the wait reason and the function name');
    t.match(r.stderr, /exit status 2\n$/);
  });
}

t.test('exit: in debug mode a leak is reported on stderr with the dump, and the exit status stays 0', opts, async (t) => {
  const r = await runFixture('deadlock', { args: ['recv'], env: { STRAND_DEBUG: '1' } });
  t.equal(r.code, 0);
  t.match(r.stderr, /^strand: 1 goroutine still parked at exit \(leaked\):\n/);
  t.match(r.stderr, header(2, 'chan receive', 'worker'));
  t.match(r.stderr, /created by /, 'with the creation site');
  t.notMatch(r.stderr, /fatal error/);
});

t.test('deadlock: top-level code waiting forever on a channel is reported as goroutine 1 (main)', opts, async (t) => {
  const r = await runFixture('deadlock', { args: ['top-level'] });
  t.equal(r.code, 2);
  t.ok(fatalFirst(r), 'fatal error line first');
  t.match(r.stderr, header(1, 'chan receive', 'main'));
});

t.test('deadlock: top-level code blocked after awaiting a foreign promise is still reported, exit 2', opts, async (t) => {
  const r = await runFixture('deadlock', { args: ['top-level-after-fs'] });
  t.equal(r.code, 2);
  t.ok(fatalFirst(r));
  t.match(r.stderr, /\ngoroutine 1 \[chan receive/);
});

t.test('exit: goroutines parked after awaiting fs while the top level is done exit 0 on every line (no false deadlock)', opts, async (t) => {
  const r = await runFixture('deadlock', { args: ['foreign-leak'] });
  t.equal(r.code, 0);
  t.equal(r.stdout, 'top level done\n');
  t.equal(r.stderr, '');
});

t.test('exit: a program whose goroutines all finished exits 0 without a report', opts, async (t) => {
  const r = await runFixture('deadlock', { args: ['finished'] });
  t.equal(r.code, 0);
  t.equal(r.stdout, 'sum 4950\n');
  t.equal(r.stderr, '');
});

t.test('exit: a parked goroutine with a pending timer that readies it runs before the exit', opts, async (t) => {
  const r = await runFixture('deadlock', { args: ['timer-ready'] });
  t.equal(r.code, 0);
  t.equal(r.stdout, 'got tick\n');
  t.equal(r.stderr, '');
});

t.test('deadlock: with main, is reported only once a pending timer has run', opts, async (t) => {
  const start = Date.now();
  const r = await runFixture('deadlock', { args: ['main-timer-late'] });
  t.equal(r.code, 2);
  t.ok(r.stderr.startsWith('timer fired\n' + FATAL), 'the timer ran before the report');
  t.ok(Date.now() - start >= 200, 'not before the 200 ms timer');
  t.match(r.stderr, header(2, 'chan receive', 'worker'));
});

t.test('exit: a listening server keeps a parked goroutine alive until a connection readies it', opts, async (t) => {
  let listened = 0;
  const r = await runFixture('deadlock', {
    args: ['server'],
    onStdout: (_chunk, child, all) => {
      const m = /port (\d+)\n/.exec(all);
      if (m === null || listened !== 0) return;
      listened = Date.now();
      // Wait a while first: the process must not end while the server listens.
      setTimeout(() => {
        t.equal(child.exitCode, null, 'still running 300 ms later');
        const sock = connect(Number(m[1]), '127.0.0.1');
        sock.on('error', () => {});
        sock.resume();
      }, 300);
    },
  });
  t.equal(r.code, 0);
  t.match(r.stdout, /got conn\n$/);
  t.equal(r.stderr, '');
});

t.test('main: returning exits 0 at once while goroutines are blocked, sleeping, ticking and accepting', opts, async (t) => {
  const start = Date.now();
  const r = await runFixture('deadlock', { args: ['main-returns'] });
  t.equal(r.code, 0);
  t.equal(r.stdout, 'main done\n');
  t.equal(r.stderr, '');
  t.ok(Date.now() - start < 15_000, 'did not wait for the 60 s sleeper');
});

t.test('main: returning keeps a process.exitCode the program set', opts, async (t) => {
  const r = await runFixture('deadlock', { args: ['main-exit-code'] });
  t.equal(r.code, 3);
  t.equal(r.stderr, '');
});

t.test('main: throwing is a panic of goroutine 1, exit 2', opts, async (t) => {
  const r = await runFixture('deadlock', { args: ['main-throws'] });
  t.equal(r.code, 2);
  t.match(r.stderr, /^panic: boom\n\ngoroutine 1 \[running\]:\n/);
  t.match(r.stderr, /exit status 2\n$/);
});

/** Runs a signal fixture: sends SIGTERM once `ready` is printed. */
function withSignal(mode: string, ready: string): Promise<ChildResult> {
  let sent = false;
  return runFixture('deadlock', {
    args: [mode],
    onStdout: (_chunk, child, all) => {
      if (sent || !all.includes(ready)) return;
      sent = true;
      child.kill('SIGTERM');
    },
  });
}

t.test('signal: main waiting for SIGTERM on a notified channel stays alive, receives it and exits 0 (Go by Example "Signals")', opts, async (t) => {
  const r = await withSignal('main-signal', 'awaiting signal\n');
  t.equal(r.signal, null, 'not killed by the signal');
  t.equal(r.code, 0);
  t.equal(r.stdout, 'awaiting signal\n\nSIGTERM\nexiting\n');
  t.equal(r.stderr, '');
});

t.test('signal: without main, a goroutine waiting on a notified channel keeps the process alive until the signal', opts, async (t) => {
  const r = await withSignal('signal-goroutine', 'ready\n');
  t.equal(r.signal, null);
  t.equal(r.code, 0);
  t.equal(r.stdout, 'ready\ngot SIGTERM\n');
  t.equal(r.stderr, '');
});

t.test('signal: notifyContext cancels its context on SIGTERM; main waiting on done() stays alive until then', opts, async (t) => {
  const r = await withSignal('main-signal-context', 'ready\n');
  t.equal(r.code, 0);
  t.equal(r.stdout, 'ready\ncontext canceled\n');
  t.equal(r.stderr, '');
});

t.test('deadlock: a notified signal nobody waits for does not hide a deadlock', opts, async (t) => {
  const r = await runFixture('deadlock', { args: ['main-signal-nobody'] });
  t.equal(r.code, 2);
  t.ok(r.stderr.startsWith(FATAL));
});
