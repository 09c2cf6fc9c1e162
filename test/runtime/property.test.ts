/**
 * Property-based test of channels and select against a simple model.
 *
 * fast-check generates small programs: 1–3 channels (capacities 0..3) and 1–4 goroutines, each a
 * list of operations (send, recv in its three result forms, close, trySend, tryRecv, select and
 * trySelect over a mix of send, receive and nil cases, and plain yields). Every value sent is
 * unique and remembers its channel, sender and sequence number. The program runs until it makes no
 * more progress; then every channel is closed (which must release every parked goroutine), the
 * goroutines finish, and the buffers are drained. Checked:
 *
 * - conservation: received ∪ drained = sends that completed successfully, each value exactly
 *   once — so no value is lost, duplicated, delivered on the wrong channel, or consumed by an
 *   abandoned select case (an abandoned send case delivering would add an unsent value; an
 *   abandoned receive case consuming would lose one);
 * - FIFO: each receiver sees each sender's values on a channel in send order, and values left in
 *   a buffer come after every value taken from that sender;
 * - close rules: a send or close on a closed channel throws with the right code, a send on an open
 *   channel never throws synchronously, a parked send fails only once the channel is closed, a
 *   receive yields "closed" only when the channel is closed and empty, and a closed, empty channel
 *   never makes a receive wait;
 * - every goroutine finishes once all channels are closed, and numGoroutine() returns to its
 *   baseline.
 *
 * Reproduce a failure with STRAND_PROPERTY_SEED=<seed printed in the test output>; search longer
 * with STRAND_PROPERTY_RUNS=<n> (1000 by default, about a second).
 */
import fc from 'fast-check';
import t from 'tap';
import {
  CLOSED,
  WOULD_BLOCK,
  chan,
  go,
  numGoroutine,
  recvCase,
  select,
  sendCase,
  trySelect,
  type Case,
  type Chan,
} from '../../src/index.js';
import { turn } from './_util.js';

type CaseSpec = { send: boolean; c: number | null };
type Op =
  | { k: 'send' | 'trySend' | 'close' | 'tryRecv'; c: number }
  | { k: 'recv'; c: number; form: 0 | 1 | 2 }
  | { k: 'select' | 'trySelect'; cases: CaseSpec[] }
  | { k: 'yield' };
interface Program {
  caps: number[];
  gs: Op[][];
}

const MAX_CHANS = 3;

const caseArb: fc.Arbitrary<CaseSpec> = fc.record({
  send: fc.boolean(),
  c: fc.oneof({ arbitrary: fc.integer({ min: 0, max: MAX_CHANS - 1 }), weight: 5 }, { arbitrary: fc.constant(null), weight: 1 }),
});

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ k: fc.constant('send' as const), c: fc.nat(MAX_CHANS - 1) }), weight: 6 },
  {
    arbitrary: fc.record({ k: fc.constant('recv' as const), c: fc.nat(MAX_CHANS - 1), form: fc.constantFrom(0 as const, 1 as const, 2 as const) }),
    weight: 6,
  },
  { arbitrary: fc.record({ k: fc.constant('trySend' as const), c: fc.nat(MAX_CHANS - 1) }), weight: 2 },
  { arbitrary: fc.record({ k: fc.constant('tryRecv' as const), c: fc.nat(MAX_CHANS - 1) }), weight: 2 },
  { arbitrary: fc.record({ k: fc.constant('close' as const), c: fc.nat(MAX_CHANS - 1) }), weight: 1 },
  {
    arbitrary: fc.record({ k: fc.constant('select' as const), cases: fc.array(caseArb, { minLength: 1, maxLength: 4 }) }),
    weight: 4,
  },
  {
    arbitrary: fc.record({ k: fc.constant('trySelect' as const), cases: fc.array(caseArb, { minLength: 0, maxLength: 3 }) }),
    weight: 2,
  },
  { arbitrary: fc.constant({ k: 'yield' as const }), weight: 1 },
);

const programArb: fc.Arbitrary<Program> = fc.record({
  caps: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: MAX_CHANS }),
  gs: fc.array(fc.array(opArb, { maxLength: 8 }), { minLength: 1, maxLength: 4 }),
});

interface Sent {
  c: number;
  g: number;
  seq: number;
}

const isPromise = (v: unknown): v is Promise<unknown> => v instanceof Promise;

/** What the random programs exercised, summed over all runs (printed as a test comment). */
const stats = { delivered: 0, leftInBuffers: 0, parkedOps: 0, parkedSelects: 0, failedByClose: 0 };

/** Runs one program and returns the list of violated rules (empty = pass). */
async function runProgram(p: Program, tamper?: (chans: Chan<number>[]) => void): Promise<string[]> {
  const bad: string[] = [];
  const nc = p.caps.length;
  const chans: Chan<number>[] = p.caps.map((c) => chan<number>(c));
  const info = new Map<number, Sent>(); // every value ever offered
  const ok = new Set<number>(); // sends that completed successfully
  const received: { v: number; c: number; g: number }[] = [];
  let progress = 0;
  let finished = 0;
  const base = numGoroutine();

  const expectCode = (err: unknown, code: string, what: string): void => {
    if ((err as { code?: string } | null)?.code !== code) bad.push(`${what}: expected ${code}, got ${String(err)}`);
  };
  const gotValue = (v: unknown, c: number, g: number, what: string): void => {
    if (typeof v !== 'number' || !info.has(v)) {
      bad.push(`${what}: received ${String(v)}, never sent`);
      return;
    }
    received.push({ v, c, g });
  };
  const gotClosed = (c: number, what: string): void => {
    if (!chans[c].closed) bad.push(`${what}: saw "closed" on an open channel ${c}`);
    if (chans[c].len !== 0) bad.push(`${what}: saw "closed" with ${chans[c].len} values still buffered on ${c}`);
  };

  const body = async (g: number, ops: Op[]): Promise<void> => {
    let seq = 0;
    const offer = (c: number): number => {
      const v = g * 1000 + ++seq;
      info.set(v, { c, g, seq });
      return v;
    };
    for (const op of ops) {
      switch (op.k) {
        case 'send': {
          const c = op.c % nc;
          const ch = chans[c];
          const v = offer(c);
          const wasClosed = ch.closed;
          let r: Promise<void> | undefined;
          try {
            r = ch.send(v);
          } catch (err) {
            if (!wasClosed) bad.push(`send on open channel ${c} threw synchronously: ${String(err)}`);
            expectCode(err, 'STRAND_ERR_CLOSED_CHANNEL', 'send on closed channel');
            break;
          }
          if (wasClosed) bad.push(`send on closed channel ${c} did not throw`);
          if (r === undefined) {
            ok.add(v);
            break;
          }
          stats.parkedOps++;
          try {
            await r;
            ok.add(v);
          } catch (err) {
            stats.failedByClose++;
            expectCode(err, 'STRAND_ERR_CLOSED_CHANNEL', 'parked send failed');
            if (!ch.closed) bad.push(`parked send on ${c} failed but the channel is open`);
          }
          break;
        }
        case 'trySend': {
          const c = op.c % nc;
          const ch = chans[c];
          const v = offer(c);
          const wasClosed = ch.closed;
          try {
            if (ch.trySend(v)) ok.add(v);
            if (wasClosed) bad.push(`trySend on closed channel ${c} did not throw`);
          } catch (err) {
            if (!wasClosed) bad.push(`trySend on open channel ${c} threw`);
            expectCode(err, 'STRAND_ERR_CLOSED_CHANNEL', 'trySend on closed channel');
          }
          break;
        }
        case 'recv': {
          const c = op.c % nc;
          const ch = chans[c];
          const closedEmpty = ch.closed && ch.len === 0;
          const r = op.form === 0 ? ch.recv() : op.form === 1 ? ch.recvOrClosed() : ch.recvOk();
          if (closedEmpty && isPromise(r)) bad.push(`recv on closed, drained channel ${c} parked`);
          if (isPromise(r)) stats.parkedOps++;
          const res = isPromise(r) ? await r : r;
          let closed: boolean;
          let v: unknown;
          if (op.form === 2) {
            const [x, okv] = res as [number | undefined, boolean];
            closed = !okv;
            v = x;
            if (closed && x !== undefined) bad.push(`recvOk returned [${x}, false]`);
          } else {
            closed = op.form === 0 ? res === undefined : res === CLOSED;
            v = res;
          }
          if (closed) gotClosed(c, `recv form ${op.form}`);
          else gotValue(v, c, g, `recv form ${op.form}`);
          break;
        }
        case 'tryRecv': {
          const c = op.c % nc;
          const ch = chans[c];
          const r = ch.tryRecv();
          if (r === WOULD_BLOCK) {
            if (ch.closed) bad.push(`tryRecv on closed channel ${c} returned WOULD_BLOCK`);
            if (ch.len > 0) bad.push(`tryRecv on channel ${c} with ${ch.len} buffered returned WOULD_BLOCK`);
          } else if (r === CLOSED) gotClosed(c, 'tryRecv');
          else gotValue(r, c, g, 'tryRecv');
          break;
        }
        case 'close': {
          const c = op.c % nc;
          const ch = chans[c];
          const wasClosed = ch.closed;
          try {
            ch.close();
            if (wasClosed) bad.push(`close of closed channel ${c} did not throw`);
          } catch (err) {
            if (!wasClosed) bad.push(`close of open channel ${c} threw ${String(err)}`);
            expectCode(err, 'STRAND_ERR_CLOSE_CLOSED', 'close of closed channel');
          }
          break;
        }
        case 'select':
        case 'trySelect': {
          const specs = op.cases.map((s) => ({ send: s.send, c: s.c === null ? null : s.c % nc }));
          if (op.k === 'select' && specs.every((s) => s.c === null)) specs[0].c = 0; // never block forever
          const cases: Case[] = specs.map((s) =>
            s.send ? sendCase(s.c === null ? null : chans[s.c], s.c === null ? -1 : offer(s.c)) : recvCase(s.c === null ? null : chans[s.c]),
          );
          let idx: number;
          try {
            const r = op.k === 'select' ? select(cases) : trySelect(cases);
            if (isPromise(r)) stats.parkedSelects++;
            idx = isPromise(r) ? await r : r;
          } catch (err) {
            expectCode(err, 'STRAND_ERR_CLOSED_CHANNEL', `${op.k} failed`);
            if (!specs.some((s) => s.send && s.c !== null && chans[s.c].closed)) bad.push(`${op.k} threw without a closed send-case channel`);
            break;
          }
          if (idx === -1) {
            if (op.k === 'select') bad.push('select returned -1');
            break;
          }
          const s = specs[idx];
          const k = cases[idx];
          if (s === undefined || s.c === null) {
            bad.push(`${op.k} chose case ${idx}, a nil or missing case`);
            break;
          }
          if (s.send) ok.add(k.value as number);
          else if (k.ok) gotValue(k.value, s.c, g, `${op.k} receive case`);
          else gotClosed(s.c, `${op.k} receive case`);
          break;
        }
        case 'yield':
          await null;
          break;
      }
      progress++;
    }
    finished++;
  };

  for (let g = 0; g < p.gs.length; g++) go(body, g + 1, p.gs[g]);

  const settle = async (): Promise<void> => {
    for (let stable = 0, last = -1; stable < 2; ) {
      await turn();
      if (progress === last) stable++;
      else stable = 0;
      last = progress;
    }
  };
  await settle();
  tamper?.(chans);
  for (const ch of chans) if (!ch.closed) ch.close();
  await settle();
  if (finished !== p.gs.length) bad.push(`${p.gs.length - finished} goroutine(s) still parked after every channel was closed`);

  // Drain what is left in the buffers.
  const drained: { v: number; c: number }[] = [];
  for (let c = 0; c < nc; c++) {
    for (let r = chans[c].tryRecv(); r !== CLOSED; r = chans[c].tryRecv()) {
      if (r === WOULD_BLOCK) {
        bad.push(`tryRecv on closed channel ${c} returned WOULD_BLOCK while draining`);
        break;
      }
      if (!info.has(r)) bad.push(`drained ${r} from ${c}, never sent`);
      else drained.push({ v: r, c });
    }
  }

  // Conservation: received ∪ drained = successful sends, each exactly once, on the right channel.
  const seen = new Set<number>();
  for (const { v, c } of [...received, ...drained]) {
    if (seen.has(v)) bad.push(`value ${v} delivered twice`);
    seen.add(v);
    if (!ok.has(v)) bad.push(`value ${v} delivered but its send did not succeed (abandoned case?)`);
    if (info.get(v)?.c !== c) bad.push(`value ${v} sent on ${info.get(v)?.c} but delivered on ${c}`);
  }
  for (const v of ok) if (!seen.has(v)) bad.push(`value ${v} sent successfully but lost`);

  // FIFO per (receiver, channel, sender), and buffered leftovers after everything taken.
  const lastSeq = new Map<string, number>();
  for (const { v, c, g } of received) {
    const s = info.get(v)!;
    const key = `${g}/${c}/${s.g}`;
    if ((lastSeq.get(key) ?? 0) > s.seq) bad.push(`FIFO: receiver ${g} got ${v} after a later value of sender ${s.g} on ${c}`);
    lastSeq.set(key, s.seq);
  }
  const maxTaken = new Map<string, number>();
  for (const { v, c } of received) {
    const s = info.get(v)!;
    const key = `${c}/${s.g}`;
    maxTaken.set(key, Math.max(maxTaken.get(key) ?? 0, s.seq));
  }
  const lastDrained = new Map<string, number>();
  for (const { v, c } of drained) {
    const s = info.get(v)!;
    const key = `${c}/${s.g}`;
    if ((maxTaken.get(key) ?? 0) > s.seq) bad.push(`FIFO: ${v} left in channel ${c} behind a later value already taken`);
    if ((lastDrained.get(key) ?? 0) > s.seq) bad.push(`FIFO: buffer of ${c} out of order at ${v}`);
    lastDrained.set(key, s.seq);
  }

  stats.delivered += received.length;
  stats.leftInBuffers += drained.length;
  await turn();
  if (numGoroutine() !== base) bad.push(`numGoroutine() is ${numGoroutine()}, baseline ${base}`);
  return bad;
}

t.test('channels and select keep values, FIFO order and close rules on random programs (fast-check)', { timeout: 60_000 }, async (t) => {
  const seed = Number(process.env.STRAND_PROPERTY_SEED) || (Date.now() ^ Math.floor(Math.random() * 0x7fffffff));
  t.comment(`fast-check seed ${seed} (rerun with STRAND_PROPERTY_SEED=${seed})`);
  const numRuns = Number(process.env.STRAND_PROPERTY_RUNS) || 1000;
  let runs = 0;
  try {
    await fc.assert(
      fc.asyncProperty(programArb, async (p) => {
        runs++;
        const bad = await runProgram(p);
        if (bad.length > 0) throw new Error(bad.slice(0, 10).join('\n'));
      }),
      { numRuns, seed },
    );
  } catch (err) {
    t.fail(`property failed (seed ${seed}): ${(err as Error).message}`);
    return;
  }
  t.equal(runs, numRuns, `ran ${numRuns} random programs without a violation`);
  t.comment(`exercised: ${JSON.stringify(stats)}`);
  t.ok(stats.delivered > numRuns && stats.parkedOps > 0 && stats.parkedSelects > 0, 'the programs delivered values, parked and selected');
});

t.test('the property checker itself catches a lost value and an unsent value (model sanity check)', { timeout: 10_000 }, async (t) => {
  const prog: Program = { caps: [2], gs: [[{ k: 'send', c: 0 }, { k: 'send', c: 0 }], [{ k: 'recv', c: 0, form: 2 }]] };
  t.same(await runProgram(prog), [], 'an untouched run passes');
  const lost = await runProgram(prog, (chans) => {
    chans[0].tryRecv(); // a value vanishes behind the program's back
  });
  t.match(lost.join('\n'), /sent successfully but lost/);
  const unsent = await runProgram(prog, (chans) => {
    chans[0].tryRecv();
    chans[0].send(1999); // a value nobody offered appears
  });
  t.match(unsent.join('\n'), /drained 1999 from 0, never sent/);
});
