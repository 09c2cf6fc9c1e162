import t from 'tap';
import { RWMutex, Semaphore, WaitGroup, go, gosched } from '../../../src/index.js';

const opts = { timeout: 20_000 };

// Deterministic pseudo-random source so a failure reproduces.
function rng(seed: number): () => number {
  let x = seed | 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

t.test('RWMutex never lets a writer overlap any other holder under random load', opts, async (t) => {
  const mu = new RWMutex();
  const rand = rng(42);
  let readers = 0;
  let writers = 0;
  let violations = 0;
  let reads = 0;
  let writes = 0;
  const wg = new WaitGroup();
  for (let g = 0; g < 50; g++) {
    const plan = Array.from({ length: 40 }, () => [rand() < 0.3, Math.floor(rand() * 3)] as const);
    wg.go(async () => {
      for (const [write, yields] of plan) {
        if (write) {
          const p = mu.lock();
          if (p !== undefined) await p;
          writers++;
          if (writers !== 1 || readers !== 0) violations++;
          for (let i = 0; i < yields; i++) await gosched();
          writers--;
          writes++;
          mu.unlock();
        } else {
          const p = mu.rLock();
          if (p !== undefined) await p;
          readers++;
          if (writers !== 0) violations++;
          for (let i = 0; i < yields; i++) await gosched();
          readers--;
          reads++;
          mu.rUnlock();
        }
      }
    });
  }
  await wg.wait();
  t.equal(violations, 0);
  t.equal(reads + writes, 50 * 40, 'every operation completed');
  t.equal(mu.tryLock(), true, 'the lock is free at the end');
});

t.test('Semaphore never exceeds its size and serves every random request', opts, async (t) => {
  const size = 10;
  const sem = new Semaphore(size);
  const rand = rng(7);
  let held = 0;
  let maxHeld = 0;
  let served = 0;
  const wg = new WaitGroup();
  for (let g = 0; g < 40; g++) {
    const plan = Array.from({ length: 25 }, () => [1 + Math.floor(rand() * size), Math.floor(rand() * 3)] as const);
    wg.go(async () => {
      for (const [n, yields] of plan) {
        const p = sem.acquire(n);
        if (p !== undefined) await p;
        held += n;
        maxHeld = Math.max(maxHeld, held);
        for (let i = 0; i < yields; i++) await gosched();
        held -= n;
        served++;
        sem.release(n);
      }
    });
  }
  await wg.wait();
  t.ok(maxHeld <= size, `max held ${maxHeld} <= ${size}`);
  t.equal(served, 40 * 25);
  t.equal(sem.tryAcquire(size), true, 'all weight returned');
});
