import t from 'tap';
import { runFixture } from './_util.js';

const childOpts = { timeout: 60_000 };

interface Report {
  gc: boolean;
  api: string[];
  http: string[];
  profile: string;
  total: number;
  text: string;
}

const LEAKED = [
  'droppedAcquirer [semaphore.Weighted.Acquire]',
  'droppedCondWaiter [sync.Cond.Wait]',
  'droppedLocker [sync.Mutex.Lock]',
  'droppedReceiver [chan receive]',
  'droppedSender [chan send]',
  'droppedWaiter [sync.WaitGroup.Wait]',
  'nilReceiver [chan receive (nil chan)]',
];

async function report(env: Record<string, string>, nodeArgs = ['--expose-gc']): Promise<Report> {
  const r = await runFixture('leak', { nodeArgs, env, killAfterMs: 50_000 });
  if (r.code !== 0) throw new Error(`leak fixture exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim()) as Report;
}

for (const [name, env] of [
  ['default attribution', {}],
  ['debug mode (creation sites kept)', { STRAND_DEBUG: '1' }],
  ['resume-hook attribution', { STRAND_ATTRIBUTION: 'resume-hook' }],
] as const) {
  t.test(`leakedGoroutines(): goroutines parked on dropped channels and primitives are reported after GC, held ones never (${name})`, childOpts, async (t) => {
    const r = await report(env);
    t.equal(r.gc, true, 'the fixture runs with --expose-gc');
    t.same(r.api, LEAKED, 'exactly the goroutines whose channel or primitive was dropped (and the nil-channel one)');
    for (const name of ['heldReceiver', 'heldLocker', 'pairedReceiver', 'keeper', 'sleeper', 'ctxAcquirer']) {
      t.notOk(r.api.some((s) => s.startsWith(name + ' ')), `${name} (still wakeable) is not reported`);
    }
    t.same(r.http, LEAKED, '/debug/pprof/goroutineleak?format=json reports the same');
    t.equal(r.profile, 'goroutineleak');
    t.equal(r.total, LEAKED.length);
    t.match(r.text, /^goroutineleak profile: total 7\n/m, 'debug=1 text');
    t.match(r.text, /\n1 @ \[chan receive\] droppedReceiver\n/);
  });
}

t.test('leakedGoroutines({ gc: true }) without --expose-gc: no error, reports what it knows without a forced GC', childOpts, async (t) => {
  const r = await report({}, []);
  t.equal(r.gc, false);
  t.ok(r.api.includes('nilReceiver [chan receive (nil chan)]'), 'a nil-channel block is known at once');
  for (const name of ['heldReceiver', 'heldLocker', 'pairedReceiver', 'keeper', 'sleeper', 'ctxAcquirer']) {
    t.notOk(r.api.some((s) => s.startsWith(name + ' ')), `${name} is not reported`);
  }
});
