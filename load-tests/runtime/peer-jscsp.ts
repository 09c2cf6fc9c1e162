/**
 * js-csp (a port of Clojure's core.async, generator-based) in the runtime benchmark, driven
 * through its documented API: `go(function*)`, `yield take(ch)`, `yield put(ch, v)`,
 * `yield alts([a, b])` (a real select: random among ready cases, send cases supported, default
 * via an option), `chan(n)`, `ch.close()`, `CLOSED`. It caps pending takes at 1024 per channel.
 *
 * @module
 */
import { createRequire } from 'node:module';
import { PARKED_PER_CHAN, measureParked, type Impl } from './measure.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- js-csp ships no types */
const csp: any = createRequire(import.meta.url)('js-csp');

function pingpong(n: number): Promise<void> {
  return new Promise((resolve) => {
    const ping = csp.chan();
    const pong = csp.chan();
    csp.go(function* (): Generator<unknown, void, any> {
      for (;;) {
        const v = yield csp.take(ping);
        if (v === csp.CLOSED) return;
        yield csp.put(pong, v);
      }
    });
    csp.go(function* (): Generator<unknown, void, any> {
      for (let i = 0; i < n; i++) {
        yield csp.put(ping, i);
        yield csp.take(pong);
      }
      ping.close();
      resolve();
    });
  });
}

function buffered(n: number): Promise<void> {
  return new Promise((resolve) => {
    const ch = csp.chan(1024);
    csp.go(function* (): Generator<unknown, void, any> {
      let sum = 0;
      for (;;) {
        const v = yield csp.take(ch);
        if (v === csp.CLOSED) break;
        sum += v;
      }
      resolve();
    });
    csp.go(function* (): Generator<unknown, void, any> {
      for (let i = 0; i < n; i++) yield csp.put(ch, i);
      ch.close();
    });
  });
}

function select(n: number): Promise<Record<string, number>> {
  return new Promise((resolve) => {
    const a = csp.chan(1);
    const b = csp.chan(1);
    csp.putAsync(a, 0);
    csp.putAsync(b, 1);
    csp.go(function* (): Generator<unknown, void, any> {
      const counts = [0, 0];
      for (let i = 0; i < n; i++) {
        const r = yield csp.alts([a, b]);
        const k = r.channel === a ? 0 : 1;
        counts[k]++;
        yield csp.put(r.channel, k);
      }
      resolve({ count_0: counts[0]!, count_1: counts[1]! });
    });
  });
}

function parked(n: number): Promise<Record<string, number>> {
  let finished = 0;
  let done: () => void = () => {};
  return measureParked(
    n,
    (n) => {
      const chans: any[] = [];
      for (let i = 0; i < n; i++) {
        if (i % PARKED_PER_CHAN === 0) chans.push(csp.chan());
        const ch = chans[chans.length - 1];
        csp.go(function* (): Generator<unknown, void, any> {
          yield csp.take(ch);
          if (++finished === n) done();
        });
      }
      return chans;
    },
    (chans) =>
      new Promise<void>((resolve) => {
        done = resolve;
        for (const c of chans) c.close();
      }),
  );
}

export const jscsp: Impl = {
  pingpong,
  buffered,
  select,
  parked,
  notes: ['js-csp: generator goroutines (`go(function*)`), `alts` is a real select (send and receive cases, default option).'],
};
