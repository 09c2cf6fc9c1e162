import { connect } from 'node:net';
import t from 'tap';
import { runFixture } from './_util.js';

const opts = { timeout: 30_000 }; // child processes: generous on a loaded machine
const FATAL = 'fatal error: all goroutines are asleep - deadlock!\n';

const parked: [mode: string, reason: string, fn: string][] = [
  ['recv', 'chan receive', 'worker'],
  ['send', 'chan send', 'blockedSender'],
  ['nil-recv', 'chan receive (nil chan)', 'nilReceiver'],
  ['nil-send', 'chan send (nil chan)', 'nilSender'],
  ['select-empty', 'select (no cases)', 'emptySelect'],
  ['select-nil', 'select (no cases)', 'nilSelect'],
];

for (const [mode, reason, fn] of parked) {
  t.test(`deadlock: a goroutine parked on "${reason}" forever is reported with the dump, exit 2 (${mode})`, opts, async (t) => {
    const r = await runFixture('deadlock', { args: [mode] });
    t.equal(r.code, 2, 'exit status 2');
    t.ok(r.stderr.startsWith(FATAL), 'fatal error line first');
    const header = new RegExp(`\\ngoroutine 2 \\[${reason.replace(/[()]/g, '\\$&')}, \\d+ ms\\]:\\n${fn}\\(\\.\\.\\.\\)\\n`);
    t.match(r.stderr, header, 'the dump shows the wait reason and the function name');
  });
}

t.test('deadlock: top-level code waiting forever on a channel is reported as goroutine 1 (main)', opts, async (t) => {
  const r = await runFixture('deadlock', { args: ['main'] });
  t.equal(r.code, 2);
  t.ok(r.stderr.startsWith(FATAL));
  t.match(r.stderr, /\ngoroutine 1 \[chan receive, \d+ ms\]:\nmain\(\.\.\.\)\n/);
});

t.test('deadlock: a program whose goroutines all finished exits 0 without a report', opts, async (t) => {
  const r = await runFixture('deadlock', { args: ['finished'] });
  t.equal(r.code, 0);
  t.equal(r.stdout, 'sum 4950\n');
  t.equal(r.stderr, '');
});

t.test('deadlock: a parked goroutine with a pending timer that readies it is not a deadlock', opts, async (t) => {
  const r = await runFixture('deadlock', { args: ['timer-ready'] });
  t.equal(r.code, 0);
  t.equal(r.stdout, 'got tick\n');
  t.equal(r.stderr, '');
});

t.test('deadlock: is reported only once a pending timer has run', opts, async (t) => {
  const start = Date.now();
  const r = await runFixture('deadlock', { args: ['timer-late'] });
  t.equal(r.code, 2);
  t.ok(r.stderr.startsWith('timer fired\n' + FATAL), 'the timer ran before the report');
  t.ok(Date.now() - start >= 200, 'not before the 200 ms timer');
  t.match(r.stderr, /goroutine 2 \[chan receive, \d+ ms\]:\nworker\(\.\.\.\)/);
});

t.test('deadlock: a listening server keeps a parked goroutine alive until a connection readies it', opts, async (t) => {
  let listened = 0;
  const r = await runFixture('deadlock', {
    args: ['server'],
    onStdout: (_chunk, child, all) => {
      const m = /port (\d+)\n/.exec(all);
      if (m === null || listened !== 0) return;
      listened = Date.now();
      // Wait a while first: no deadlock may be reported while the server listens.
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
