import t from 'tap';
import { chan, formatDump, go, goroutines, recvCase, select, setDebug, type GoroutineInfo } from '../../src/index.js';
import { quiesce, runFixture } from './_util.js';

const opts = { timeout: 10_000 };
const childOpts = { timeout: 30_000 };

function find(id: number): GoroutineInfo | undefined {
  return goroutines().find((g) => g.id === id);
}

t.test('goroutines() shows id, state, wait reason and function name of parked goroutines', opts, async (t) => {
  const a = chan<number>();
  const b = chan<number>();
  const r = go(async function receiver() {
    await a.recv();
  });
  const s = go(async function sender() {
    await b.send(1);
  });
  const c = chan<number>();
  const sel = go(async function selector() {
    await select([recvCase(c), recvCase(null)]);
  });
  t.match(find(r), { id: r, state: 'waiting', waitReason: 'chan receive', fn: 'receiver', createdBy: undefined });
  t.match(find(s), { id: s, state: 'waiting', waitReason: 'chan send', fn: 'sender' });
  t.match(find(sel), { id: sel, state: 'waiting', waitReason: 'select', fn: 'selector' });
  const ids = goroutines().map((g) => g.id);
  t.ok(ids.indexOf(r) < ids.indexOf(s) && ids.indexOf(s) < ids.indexOf(sel), 'oldest first');
  a.close();
  c.close();
  t.equal(b.recv(), 1);
  await quiesce();
  t.equal(find(r), undefined, 'finished goroutines leave the dump');
  t.equal(find(s), undefined);
  t.equal(find(sel), undefined);
});

t.test('goroutines() shows an anonymous function as "anonymous"', opts, async (t) => {
  const ch = chan<void>();
  const id = go(async () => {
    await ch.recv();
  });
  t.equal(find(id)?.fn, 'anonymous');
  ch.close();
  await quiesce();
});

t.test('goroutines() shows the calling goroutine as running', opts, async (t) => {
  const start = chan<number>();
  const out = chan<GoroutineInfo | undefined>();
  go(async function inspector() {
    const me = (await start.recv()) as number;
    await out.send(goroutines().find((g) => g.id === me));
  });
  // The id is only known once go() returns, so hand it over through the channel.
  const id = goroutines().find((g) => g.fn === 'inspector')!.id;
  await start.send(id);
  const self = await out.recv();
  t.match(self, { id, state: 'running', waitReason: '', waitingMs: 0, fn: 'inspector' });
});

t.test('goroutines() waitingMs grows while a goroutine stays parked', opts, async (t) => {
  const ch = chan<void>();
  const id = go(async function idle() {
    await ch.recv();
  });
  const first = find(id)!.waitingMs;
  await new Promise((resolve) => setTimeout(resolve, 250));
  const later = find(id)!.waitingMs;
  t.ok(later >= first + 100, `waitingMs went from ${first} to ${later} over 250 ms`);
  t.ok(later < 20_000, 'and stays plausible');
  ch.close();
  await quiesce();
});

t.test('goroutines() reports createdBy only in debug mode (setDebug)', opts, async (t) => {
  const ch = chan<void>();
  setDebug(true);
  let debugId: number;
  try {
    debugId = go(async function debugged() {
      await ch.recv();
    });
  } finally {
    setDebug(false);
  }
  const plainId = go(async function plain() {
    await ch.recv();
  });
  const created = find(debugId)?.createdBy;
  t.match(created, /^created by .*dump\.test\.[jt]s:\d+:\d+/, `creation site: ${created}`);
  t.equal(find(plainId)?.createdBy, undefined, 'nothing recorded with debug off');
  t.match(formatDump(), new RegExp(`goroutine ${debugId} \\[chan receive, \\d+ ms\\]:\\ndebugged\\(\\.\\.\\.\\)\\n\\tcreated by `));
  ch.close();
  await quiesce();
});

t.test('formatDump() prints goroutines in Go traceback layout', opts, async (t) => {
  const list: GoroutineInfo[] = [
    { id: 1, state: 'running', waitReason: '', waitingMs: 0, fn: 'main', createdBy: undefined },
    { id: 7, state: 'waiting', waitReason: 'chan receive', waitingMs: 1500, fn: 'worker', createdBy: 'created by main (file:///app/main.js:10:3)' },
    { id: 8, state: 'waiting', waitReason: 'select', waitingMs: 12, fn: 'loop', createdBy: undefined },
    { id: 9, state: 'waiting', waitReason: 'IO wait', waitingMs: 180_000, fn: 'serve', createdBy: undefined },
    { id: 10, state: 'runnable', waitReason: '', waitingMs: 0, fn: 'anonymous', createdBy: undefined },
  ];
  t.equal(
    formatDump(list),
    'goroutine 1 [running]:\nmain(...)\n\n' +
      'goroutine 7 [chan receive, 1.5 s]:\nworker(...)\n\tcreated by main (file:///app/main.js:10:3)\n\n' +
      'goroutine 8 [select, 12 ms]:\nloop(...)\n\n' +
      'goroutine 9 [IO wait, 3 minutes]:\nserve(...)\n\n' +
      'goroutine 10 [runnable]:\nanonymous(...)\n\n',
  );
});

t.test('formatDump() with no argument formats the live goroutines', opts, async (t) => {
  const ch = chan<void>();
  const id = go(async function dumped() {
    await ch.recv();
  });
  t.match(formatDump(), new RegExp(`goroutine ${id} \\[chan receive, \\d+ ms\\]:\\ndumped\\(\\.\\.\\.\\)\\n\\n`));
  ch.close();
  await quiesce();
});

t.test('handleSigquit() prints the dump on SIGQUIT and exits with status 2', childOpts, async (t) => {
  const r = await runFixture('sigquit', {
    onStdout: (_c, child, all) => {
      if (all === 'ready\n') child.kill('SIGQUIT');
    },
  });
  t.equal(r.code, 2, 'exit status 2');
  t.match(r.stderr, /^SIGQUIT: quit\n\n/);
  t.match(r.stderr, /goroutine 2 \[chan receive, \d+ ms\]:\nsleeper\(\.\.\.\)\n/);
  t.notMatch(r.stdout, /sleeper done/);
});

t.test('handleSigquit({ exit: false }) prints the dump and keeps running', childOpts, async (t) => {
  let sentStop = false;
  const r = await runFixture('sigquit', {
    args: ['noexit'],
    onStdout: (_c, child, all) => {
      if (all === 'ready\n') child.kill('SIGQUIT');
    },
    onStderr: (_c, child, all) => {
      if (!sentStop && all.includes('sleeper(...)')) {
        sentStop = true;
        child.stdin!.write('stop\n');
      }
    },
  });
  t.equal(r.code, 0, 'the program finished normally after the dump');
  // With resume-hook attribution the dump opens with a line saying identity is approximate.
  t.match(r.stderr, /^SIGQUIT: quit\n\n(\(strand: goroutine attribution is approximate [^\n]*\)\n\n)?goroutine 2 \[chan receive, \d+ ms\]:\nsleeper\(\.\.\.\)\n/);
  t.equal(r.stdout, 'ready\nsleeper done\n', 'it kept running and finished its work');
});
