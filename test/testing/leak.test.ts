/**
 * The leak check (goleak): it catches a leaked goroutine (listing its wait reason and creation
 * site), passes a clean test, waits for goroutines about to exit, honours ignores; and, in a
 * node:test file run as a child `node --test`, the leak check and synctest work there too.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chan, go, sleep } from '../../src/index.js';
import { LeakError, leakCheck, testingCodes, verifyNone } from '../../src/testing/index.js';

const opts = { timeout: 20_000 };

t.test('leakCheck(): a leaked goroutine fails the check, listed with its wait reason and creation site', opts, async (t) => {
  const check = leakCheck({ maxWaitMs: 50 });
  const never = chan<number>();
  go(async function leakyWorker() {
    await never.recv();
  });
  const err = await check().catch((e: unknown) => e);
  t.ok(err instanceof LeakError, 'rejects with a LeakError');
  const e = err as LeakError;
  t.equal(e.code, testingCodes.GOROUTINE_LEAK);
  t.equal(e.count, 1);
  t.match(e.message, /^goleak: found 1 unexpected goroutine:/);
  t.match(e.report, /goroutine \d+ \[chan receive, [^\]]+\]:\nleakyWorker\(\.\.\.\)/, 'its wait reason and function');
  t.match(e.report, /created by .*leak\.test/, 'its creation site (debug mode was on)');
  never.close(); // let it go
});

t.test('leakCheck(): a clean test passes, waiting for goroutines about to exit', opts, async (t) => {
  const check = leakCheck();
  go(async () => {
    await sleep(30); // still alive when the test body ends, gone soon after
  });
  await check();
  t.pass('no leak');
});

t.test('leakCheck(): ignored goroutines do not fail it', opts, async (t) => {
  const check = leakCheck({ ignore: ['knownForever'], maxWaitMs: 20 });
  const stop = chan<void>();
  go(async function knownForever() {
    await stop.recv();
  });
  await check();
  const check2 = leakCheck({ ignore: (g) => g.waitReason === 'chan receive', maxWaitMs: 20 });
  go(async function alsoKnown() {
    await stop.recv();
  });
  await check2();
  stop.close();
  t.pass('ignored');
});

t.test('verifyNone(): no goroutine is alive but the ignored ones', opts, async (t) => {
  await verifyNone();
  const stop = chan<void>();
  go(async function lingering() {
    await stop.recv();
  });
  await t.rejects(verifyNone({ maxWaitMs: 20 }), { code: testingCodes.GOROUTINE_LEAK });
  await verifyNone({ ignore: ['lingering'], maxWaitMs: 20 });
  stop.close();
  await verifyNone();
});

t.test('node:test: a file using leakCheck and synctest, run as a child `node --test`', opts, async (t) => {
  const file = fileURLToPath(new URL('../fixtures/testing/node-test.js', import.meta.url));
  const r = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--test', '--test-reporter=tap', file], {
      env: { ...process.env, NODE_OPTIONS: '', STRAND_DEBUG: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, out });
    });
  });
  t.equal(r.code, 1, 'exit status 1: the deliberately leaky test fails');
  t.match(r.out, /^# pass 3$/m, 'three tests pass');
  t.match(r.out, /^# fail 1$/m, 'one fails');
  t.match(r.out, /not ok \d+ - leaks a goroutine/, 'the leaky one');
  t.match(r.out, /goleak: found 1 unexpected goroutine/);
  t.match(r.out, /ok \d+ - synctest: 24 virtual hours in a node:test test/);
});
