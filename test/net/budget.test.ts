import t from 'tap';
import { go } from '../../src/index.js';
import { dial, listen } from '../../src/net/index.js';
import { drain, pair } from './_helpers.js';
import { kAcceptQueue } from '../../src/net/_symbols.js';

/**
 * Milliseconds of CPU time this process has used. The budget test counts in it rather than in
 * wall time: on a loaded machine (tap runs two files at once on two cores, and CI machines are
 * shared) the process is descheduled for tens of ms at a time, which stretches wall-clock gaps
 * and cuts wall-clock tick rates on every Node line alike (measured: 5–17 ticks in 300 ms of wall
 * time at a load average of 8 on 2 cores, 50–80 on an idle machine), while the property tested —
 * the writer yields to the event loop after a bounded slice of its own work — is about the work
 * this process does between two turns of the loop.
 */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

t.test('writes that never wait still yield to the event loop (cooperative budget)', { timeout: 20_000 }, async (t) => {
  const p = await pair();
  const reading = drain(p.client);
  const small = Buffer.alloc(64, 1);
  let last = cpuMs();
  let maxGap = 0;
  let ticks = 0;
  const iv = setInterval(() => {
    const now = cpuMs();
    maxGap = Math.max(maxGap, now - last);
    last = now;
    ticks++;
  }, 1);
  let parkedOrYielded = 0;
  let writes = 0;
  // A goroutine (only goroutines are preempted) in the try-first style: it awaits only what did
  // not complete at once. It writes for 300 ms of CPU time (the clock is read every 64 writes).
  await new Promise<void>((resolve) => {
    go(async () => {
      const t0 = cpuMs();
      while ((writes & 63) !== 0 || cpuMs() - t0 < 300) {
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
  t.ok(ticks > 20, `a 1 ms timer ticked ${ticks} times during 300 ms (CPU time) of writes`);
  t.ok(maxGap < 100, `the longest gap between ticks was ${maxGap.toFixed(1)} ms of CPU time (slice 2 ms)`);
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
