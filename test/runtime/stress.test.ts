import t from 'tap';
import { chan, go, numGoroutine, type Chan } from '../../src/index.js';
import { quiesce } from './_util.js';

t.test('100,000 goroutines chained through unbuffered channels pass a value along and all exit', { timeout: 30_000 }, async (t) => {
  const N = 100_000;
  await quiesce();
  const base = numGoroutine();
  const first = chan<number>();
  let left: Chan<number> = first;
  for (let i = 0; i < N; i++) {
    const right = chan<number>();
    go(
      async (l: Chan<number>, r: Chan<number>) => {
        const v = (await l.recv()) as number;
        await r.send(v + 1);
      },
      left,
      right,
    );
    left = right;
  }
  t.equal(numGoroutine(), base + N, 'all goroutines are live and parked');
  const start = performance.now();
  await first.send(0);
  const v = await left.recv();
  const ms = performance.now() - start;
  t.equal(v, N, 'the value was incremented by every goroutine of the chain');
  await quiesce();
  t.equal(numGoroutine(), base, 'numGoroutine() is back to its baseline');
  t.comment(`value travelled the chain in ${ms.toFixed(0)} ms`);
});
