import t from 'tap';
import { go } from '../../src/index.js';
import { dial, listen } from '../../src/net/index.js';
import { drain, pair } from './_helpers.js';
import { kAcceptQueue } from '../../src/net/_symbols.js';

t.test('writes that never wait still yield to the event loop (cooperative budget)', { timeout: 20_000 }, async (t) => {
  const p = await pair();
  const reading = drain(p.client);
  const small = Buffer.alloc(64, 1);
  let last = performance.now();
  let maxGap = 0;
  let ticks = 0;
  const iv = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
    ticks++;
  }, 1);
  let parkedOrYielded = 0;
  let writes = 0;
  // A goroutine (only goroutines are preempted) in the try-first style: it awaits only what did
  // not complete at once.
  await new Promise<void>((resolve) => {
    go(async () => {
      const t0 = performance.now();
      while (performance.now() - t0 < 300) {
        const r = p.server.write(small);
        writes++;
        if (r instanceof Promise) {
          parkedOrYielded++;
          await r;
        }
      }
      resolve();
    });
  });
  clearInterval(iv);
  t.ok(ticks > 20, `a 1 ms timer ticked ${ticks} times during 300 ms of writes`);
  t.ok(maxGap < 100, `the longest gap between ticks was ${maxGap.toFixed(1)} ms (slice 2 ms)`);
  t.ok(parkedOrYielded > 0 && parkedOrYielded < writes / 10, `${writes} writes, ${parkedOrYielded} returned a promise`);
  p.server.close();
  t.equal((await reading).length, writes * small.length, 'every byte arrived');
  p.close();
});

t.test('Listener keeps serving through EMFILE/ENFILE accept errors, backing off', { timeout: 10_000 }, async (t) => {
  // libuv absorbs most EMFILE bursts itself (it sheds connections); when it does report one to
  // the server, accept must not fail: it backs off and goes on.
  const ln = await listen('tcp', '127.0.0.1:0');
  const server = ln[kAcceptQueue].server;
  const emfile = Object.assign(new Error('accept EMFILE'), { code: 'EMFILE', errno: -24, syscall: 'accept' });
  const accepted = ln.accept();
  const t0 = performance.now();
  server.emit('error', emfile);
  server.emit('error', Object.assign(new Error('accept ENFILE'), { code: 'ENFILE', errno: -23, syscall: 'accept' }));
  t.equal(ln[kAcceptQueue].tempErrors, 2, 'both errors counted as temporary');
  const c = await dial('tcp', String(ln.addr));
  const s = await accepted;
  const waited = performance.now() - t0;
  t.ok(s, 'the parked accept got the next connection instead of an error');
  t.ok(waited >= 4, `delivery waited for the back-off (${waited.toFixed(1)} ms)`);
  c.close();
  s.close();
  ln.close();
});
