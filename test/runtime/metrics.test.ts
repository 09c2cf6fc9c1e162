import t from 'tap';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { chan, go, gosched, metrics, sleep, Mutex } from '../../src/index.js';
import { quiesce } from './_util.js';

const opts = { timeout: 15_000 };

t.test('metrics(): goroutines started/exited, wake-ups and goroutines by wait reason move as expected', opts, async (t) => {
  const before = metrics();
  const ch = chan<number>();
  const mu = new Mutex();
  await mu.lock();
  for (let i = 0; i < 10; i++) go(async function metricsReceiver() { await ch.recv(); });
  for (let i = 0; i < 3; i++) go(async function metricsLocker() { await mu.lock(); mu.unlock(); });
  const mid = metrics();
  t.equal(mid.goroutinesStartedTotal - before.goroutinesStartedTotal, 13, '13 goroutines started');
  t.equal(mid.goroutines - before.goroutines, 13, '13 more live goroutines');
  t.ok((mid.goroutinesByWaitReason['chan receive'] ?? 0) >= 10, 'parked receivers counted by wait reason');
  t.ok((mid.goroutinesByWaitReason['sync.Mutex.Lock'] ?? 0) >= 3);
  t.ok(mid.goroutinesByState.waiting >= 13);
  for (let i = 0; i < 10; i++) await ch.send(i);
  mu.unlock();
  await quiesce();
  const after = metrics();
  t.equal(after.goroutinesExitedTotal - before.goroutinesExitedTotal, 13, 'all 13 exited');
  t.ok(after.wakeupsTotal - mid.wakeupsTotal >= 13, `every parked goroutine was woken (${after.wakeupsTotal - mid.wakeupsTotal} wake-ups)`);
  t.equal(after.goroutinesByWaitReason['chan receive'] ?? 0, before.goroutinesByWaitReason['chan receive'] ?? 0);
});

t.test('metrics(): timers, sleeping goroutines, event loop and memory', opts, async (t) => {
  const before = metrics();
  const done = chan<void>();
  go(async function napper() {
    await sleep(30);
    done.close();
  });
  t.equal(metrics().timersSleeping - before.timersSleeping, 1, 'one goroutine sleeping');
  await done.recv();
  const m = metrics();
  t.ok(m.timersStartedTotal > before.timersStartedTotal, 'timers started counted');
  t.ok(m.eventLoop.utilization > 0 && m.eventLoop.utilization <= 1, `utilization ${m.eventLoop.utilization}`);
  t.ok(m.eventLoop.activeSecondsTotal > 0 && m.eventLoop.idleSecondsTotal >= 0);
  t.ok(m.eventLoop.delaySeconds.max >= m.eventLoop.delaySeconds.min);
  t.ok(m.memory.heapUsedBytes > 0 && m.memory.rssBytes >= m.memory.heapUsedBytes);
});

t.test('metrics(): fairness-budget yields are counted', opts, async (t) => {
  const before = metrics().budgetYieldsTotal;
  // A ping-pong that would never yield by itself: the budget must hand the loop a turn.
  const a = chan<number>();
  const b = chan<number>();
  const done = chan<void>();
  let stop = false;
  go(async function pinger() {
    for (let i = 0; !stop; i++) {
      await a.send(i);
      await b.recv();
    }
    a.close();
    done.close();
  });
  go(async function ponger() {
    for await (const v of a) await b.send(v);
  });
  await sleep(30); // a timer that fires only because the budget yields
  stop = true;
  await done.recv();
  t.ok(metrics().budgetYieldsTotal > before, `yields: ${metrics().budgetYieldsTotal - before}`);
});

t.test('diagnostics_channel: subscribers see start, park, ready and exit of a goroutine', opts, async (t) => {
  const seen: string[] = [];
  let id = -1;
  const on = (name: string) => (msg: unknown) => {
    const m = msg as { id: number; fn?: string; waitReason?: string };
    if (name === 'start' && m.fn === 'traced') id = m.id;
    if (m.id === id) seen.push(name === 'park' ? `park:${m.waitReason}` : name === 'start' ? `start:${m.fn}` : name);
  };
  const handlers = ['start', 'park', 'ready', 'exit'].map((n) => [`strand:goroutine:${n}`, on(n)] as const);
  for (const [n, f] of handlers) subscribe(n, f);
  try {
    const ch = chan<number>();
    const gid = go(async function traced() {
      await ch.recv();
      await gosched();
    });
    t.equal(id, gid, 'start carries the goroutine id');
    await ch.send(1);
    await quiesce();
    t.same(seen, ['start:traced', 'park:chan receive', 'ready', 'park:gosched', 'ready', 'exit']);
  } finally {
    for (const [n, f] of handlers) unsubscribe(n, f);
  }
  // Unsubscribed: nothing more is published.
  const n = seen.length;
  go(async function untraced() {});
  t.equal(seen.length, n);
});
