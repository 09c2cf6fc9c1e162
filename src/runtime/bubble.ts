/**
 * synctest bubbles (Go 1.25's `testing/synctest`, runtime side): a set of goroutines with its own
 * virtual clock. strand/testing's `synctest` is the public face; this file is what the runtime
 * must know.
 *
 * ## Membership
 * A bubble starts with one goroutine (its *main*, the test function). Every goroutine started by
 * a member joins the bubble (`G.bubble`, inherited in `go()`); so does one started by a timer of
 * the bubble firing (an afterFunc). Channels, wait queues (the sync primitives' and the
 * semaphore's) created by a member belong to the bubble (`owners`). Which goroutine parks or
 * starts another is exact: with AsyncContextFrame it always is; with the resume hook (Node < 24)
 * goroutine.ts keeps an AsyncLocalStorage of the running bubble goroutine while bubbles run
 * (`bubbleAls`), because a member that awaits one of its own async functions may otherwise resume
 * named as another goroutine, and its parks would be miscounted.
 *
 * ## Durably blocked (Go's definition, adapted)
 * A member is durably blocked while it is parked on something only the bubble can end:
 * - a send or receive on a channel that belongs to the bubble (a timer's, a ticker's and a
 *   context's done channel created in the bubble included), or on a nil channel;
 * - a `select` whose every non-nil case is on a channel of the bubble (or that has no case);
 * - `sleep`;
 * - waiting on a sync primitive created in the bubble: Mutex, RWMutex, WaitGroup, Cond, Once,
 *   Semaphore (Go excludes Mutex because its runtime shares mutexes with code outside the
 *   bubble; here only JavaScript code can unlock one, and one created in the bubble is the
 *   bubble's);
 * - `synctest.wait()`.
 * Everything else is not: socket and HTTP I/O ("IO wait"), a channel or primitive created outside
 * the bubble, `gosched`, a preemption, and any await of a promise that is not a strand park
 * (fs, fetch, a timer of Node's own): such a goroutine is not parked at all, so it counts as
 * running, and time does not move until it parks durably or ends.
 *
 * ## How the bubble knows nothing in it can run
 * Counts, kept exact at every instant by the runtime's hooks: `live` members, and the set of
 * durably parked ones. A park adds to the set (if durable); `ready` removes from it *when the
 * wake-up is decided*, synchronously, before the woken goroutine's continuation is even queued;
 * an exit decrements `live`. So a member whose continuation waits in the microtask queue or in the
 * fairness run queue is already counted runnable, and one awaiting a foreign promise was never
 * counted parked. `durable.size === live` therefore means: every member is parked on something
 * only the bubble can end, and no wake-up is in flight. What counts cannot see is code that is in
 * no goroutine: a promise reaction a member queued without awaiting it (`p.then(() =>
 * ch.trySend(1))`) may still ready a member. So time is never advanced from inside the park that
 * made the bubble idle: that park schedules a check with `setImmediate`, which runs after the
 * microtask queue (and `process.nextTick`'s) has drained completely; the check re-reads the
 * counts there, and does nothing if a member was readied meanwhile (the next park that makes the
 * bubble idle schedules a new one). A Node timer or I/O callback the test set up itself is
 * foreign, like I/O in Go: the bubble does not wait for it.
 *
 * ## The check (Go's order)
 * When idle: a goroutine in `synctest.wait()` is woken first; else, once main has returned, the
 * bubble ends (resolved if no member is left, else "main bubble goroutine has exited but blocked
 * goroutines remain"); else the clock jumps to the earliest timer and every timer due then fires
 * (in creation order); else "all goroutines in bubble are blocked". Time starts at midnight UTC
 * 2000-01-01, as in Go.
 *
 * Invariants (single JS thread; every field is touched only by this file's code):
 * - `durable ⊆ members`, `durable.size <= live`; `timers` is sorted by (when, seq).
 * - After `done`, the hooks do nothing: members left behind are abandoned (leaked, parked).
 *
 * @module
 */

import { bubbleCount, currentBubble, currentG, forEachLive, go, park, ready, setBubbleOverride } from './goroutine.js';
import { G, Waiter, type BubbleHooks } from './waiter.js';
import { goroutines, formatDump } from './dump.js';

/** Go's synctest epoch: midnight UTC 2000-01-01, in ms. */
const EPOCH = Date.UTC(2000, 0, 1);

/** Who created a channel or wait queue, when it was created in a bubble. */
const owners = new WeakMap<object, Bubble>();
/** The wait queue a waiter is queued on (recorded only while bubbles run). */
const queues = new WeakMap<Waiter, object>();

/**
 * @internal Records that `obj` (a channel, a wait queue) was created by the bubble running now,
 * if any. Called by their constructors; outside bubbles it costs a comparison.
 */
export function adopt(obj: object): void {
  const b = currentBubble();
  if (b !== null) owners.set(obj, b as Bubble);
}

/** @internal A wait queue records that `w` waits on it (only while a bubble runs). */
export function noteQueued(w: Waiter, q: object): void {
  if (currentBubble() !== null) queues.set(w, q);
}

/** A timer of a bubble's virtual clock (the handle `startTimer` returns inside a bubble). */
export class VTimer {
  /** Virtual time it fires at. */
  when: number;
  /** Creation order, to fire simultaneous timers in order. */
  readonly seq: number;
  readonly fn: (arg: any) => void;
  readonly arg: unknown;
  /** 0 for a one-shot timer, the period of an interval. */
  readonly period: number;
  readonly bubble: Bubble;
  /** Whether it is in its bubble's timer list. */
  armed = false;

  constructor(b: Bubble, when: number, seq: number, fn: (arg: any) => void, arg: unknown, period: number) {
    this.bubble = b;
    this.when = when;
    this.seq = seq;
    this.fn = fn;
    this.arg = arg;
    this.period = period;
  }

  /** Virtual timers never keep the process alive by themselves (the bubble's check does). */
  ref(): this {
    return this;
  }

  /** See {@link VTimer.ref}. */
  unref(): this {
    return this;
  }

  /** Always true: an armed virtual timer is always waited for by its bubble. */
  hasRef(): boolean {
    return true;
  }
}

/** @internal A Node timer, or a bubble's virtual one. */
export type TimerHandle = NodeJS.Timeout | VTimer;

/**
 * @internal Arms a timer calling `fn(arg)` after `ms` (every `period` ms when `period > 0`): a
 * Node timer, or a virtual one when the code running now belongs to a bubble.
 */
export function startTimer<A>(fn: (arg: A) => void, ms: number, arg: A, period = 0): TimerHandle {
  const b = currentBubble() as Bubble | null;
  if (b === null) return period > 0 ? setInterval(fn, period, arg) : setTimeout(fn, ms, arg);
  return b.addTimer(fn, period > 0 ? period : ms, arg, period);
}

/** @internal Cancels a timer made by {@link startTimer} (`interval`: it was made with a period). */
export function stopTimer(h: TimerHandle, interval = false): void {
  if (h instanceof VTimer) h.bubble.removeTimer(h);
  else if (interval) clearInterval(h);
  else clearTimeout(h);
}

/** @internal The time now in ms since the epoch: the bubble's virtual clock inside one. */
export function nowMs(): number {
  const b = currentBubble() as Bubble | null;
  return b === null ? Date.now() : b.now;
}

/** @internal How a bubble ended badly: Go's deadlock message and the dump of its goroutines. */
export interface BubbleDeadlock {
  /** `deadlock: all goroutines in bubble are blocked` or `deadlock: main bubble goroutine has exited but blocked goroutines remain`. */
  reason: string;
  /** The members still alive, in the goroutine dump's layout. */
  report: string;
}

let nextBubbleId = 1;

/** @internal A synctest bubble (see the module comment). */
export class Bubble implements BubbleHooks {
  readonly id = nextBubbleId++;
  /** The virtual clock (ms since the epoch). */
  now = EPOCH;
  /** Live members. */
  live = 0;
  /** Members parked on a durable wait. */
  readonly durable = new Set<G>();
  /** Armed virtual timers, sorted by (when, seq). */
  readonly timers: VTimer[] = [];
  #seq = 0;
  /** The member in `wait()`, parked on this waiter, or null. */
  waiter: Waiter | null = null;
  /** The bubble's first goroutine (the test function). */
  main: G | null = null;
  mainDone = false;
  /** Settled: hooks do nothing any more. */
  done = false;
  #checkQueued = false;
  readonly #resolve: (v: BubbleDeadlock | null) => void;
  readonly #reject: (e: unknown) => void;
  readonly promise: Promise<BubbleDeadlock | null>;

  constructor() {
    let res!: (v: BubbleDeadlock | null) => void;
    let rej!: (e: unknown) => void;
    this.promise = new Promise((a, b) => {
      res = a;
      rej = b;
    });
    this.#resolve = res;
    this.#reject = rej;
  }

  // ---- hooks (goroutine.ts) ----

  go(g: G): void {
    if (this.done) return;
    if (this.main === null) this.main = g;
    this.live++;
  }

  park(g: G, w: Waiter, reason: string): void {
    if (this.done || !isDurable(this, w, reason)) return;
    this.durable.add(g);
    if (this.durable.size === this.live) this.#schedule();
  }

  ready(g: G): void {
    this.durable.delete(g);
  }

  exit(g: G): void {
    if (this.done) return;
    this.durable.delete(g);
    this.live--;
    if (g === this.main) this.mainDone = true;
    if (this.durable.size === this.live) this.#schedule();
  }

  panic(_g: G, err: unknown): boolean {
    if (this.done) return false; // a leftover of a finished bubble: an ordinary panic
    this.#finish();
    this.#reject(err);
    return true;
  }

  // ---- timers ----

  addTimer(fn: (arg: any) => void, ms: number, arg: unknown, period: number): VTimer {
    const t = new VTimer(this, this.now + (ms > 0 ? ms : 0), this.#seq++, fn, arg, period);
    this.#insert(t);
    return t;
  }

  removeTimer(t: VTimer): void {
    if (!t.armed) return;
    t.armed = false;
    const i = this.timers.indexOf(t);
    if (i >= 0) this.timers.splice(i, 1);
  }

  #insert(t: VTimer): void {
    const ts = this.timers;
    let lo = 0;
    let hi = ts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = ts[mid];
      if (m.when < t.when || (m.when === t.when && m.seq < t.seq)) lo = mid + 1;
      else hi = mid;
    }
    ts.splice(lo, 0, t);
    t.armed = true;
  }

  // ---- the check ----

  #schedule(): void {
    if (this.#checkQueued) return;
    this.#checkQueued = true;
    setImmediate(check, this);
  }

  /** Runs from a macrotask (see the module comment): acts only if the bubble is still idle. */
  check(): void {
    this.#checkQueued = false;
    if (this.done || this.durable.size !== this.live) return;
    const w = this.waiter;
    if (w !== null) {
      this.waiter = null;
      ready(w, undefined);
      return;
    }
    if (this.mainDone) {
      if (this.live === 0) {
        this.#finish();
        this.#resolve(null);
      } else {
        this.#deadlock('deadlock: main bubble goroutine has exited but blocked goroutines remain');
      }
      return;
    }
    if (this.timers.length > 0) {
      this.#advance();
      return;
    }
    this.#deadlock('deadlock: all goroutines in bubble are blocked');
  }

  /** Jumps to the earliest timer and fires every timer due then, as the bubble. */
  #advance(): void {
    const ts = this.timers;
    this.now = ts[0].when;
    const prev = setBubbleOverride(this);
    try {
      while (ts.length > 0 && ts[0].when <= this.now && !this.done) {
        const t = ts.shift()!;
        t.armed = false;
        if (t.period > 0) {
          t.when += t.period;
          this.#insert(t);
        }
        t.fn(t.arg);
      }
    } finally {
      setBubbleOverride(prev);
    }
    // Nothing woke (a timer whose channel nobody waits on): still idle, look again.
    if (this.durable.size === this.live) this.#schedule();
  }

  #deadlock(reason: string): void {
    const report = this.report();
    this.#finish();
    this.#resolve({ reason, report });
  }

  #finish(): void {
    this.done = true;
    this.timers.length = 0;
    this.waiter = null;
    bubbleCount(-1);
  }

  /** The members alive now, in the goroutine dump's layout, durable waits marked as Go does. */
  report(): string {
    const ids = new Set<number>();
    const durableIds = new Set<number>();
    forEachLive((g) => {
      if (g.bubble === this) {
        ids.add(g.id);
        if (this.durable.has(g)) durableIds.add(g.id);
      }
    });
    const list = goroutines()
      .filter((g) => ids.has(g.id))
      .map((g) => ({
        ...g,
        waitReason: `${g.waitReason}${durableIds.has(g.id) ? ' (durable)' : ''}, synctest bubble ${this.id}`,
      }));
    return formatDump(list);
  }
}

function check(b: Bubble): void {
  b.check();
}

/** Whether parking on `w` for `reason` is durably blocking for bubble `b` (module comment). */
function isDurable(b: Bubble, w: Waiter, reason: string): boolean {
  switch (reason) {
    case 'sleep':
    case 'synctest.wait':
    case 'select (no cases)':
    case 'chan send (nil chan)':
    case 'chan receive (nil chan)':
      return true;
    case 'chan send':
    case 'chan receive':
      return w.chan !== null && owners.get(w.chan) === b;
    case 'select': {
      const cases = w.value as readonly Waiter[];
      for (let i = 0; i < cases.length; i++) {
        const c = cases[i].chan;
        if (c !== null && owners.get(c) !== b) return false;
      }
      return true;
    }
  }
  if (reason.startsWith('sync.') || reason.startsWith('semaphore.')) {
    const q = queues.get(w);
    return q !== undefined && owners.get(q) === b;
  }
  return false;
}

/**
 * @internal Runs `fn` as the main goroutine of a new bubble. Resolves to null once `fn` has
 * returned and every member has ended, to a {@link BubbleDeadlock} when the bubble deadlocks;
 * rejects with what `fn` (or any member) threw.
 */
export function runBubble(fn: () => unknown): Promise<BubbleDeadlock | null> {
  const b = new Bubble();
  bubbleCount(1);
  const prev = setBubbleOverride(b);
  try {
    go(bubbleMain, fn);
  } finally {
    setBubbleOverride(prev);
  }
  return b.promise;
}

/** The bubble's main goroutine: `fn`, whose throw (sync or async) fails the bubble. */
async function bubbleMain(fn: () => unknown): Promise<void> {
  await fn();
}

/** @internal The bubble of the running goroutine, or null. */
export function bubbleOf(): Bubble | null {
  return currentBubble() as Bubble | null;
}

/**
 * @internal `synctest.wait()`: parks the running member until every other member is durably
 * blocked. The caller has checked that it runs in a bubble and that no other wait is pending.
 */
export function bubbleWait(b: Bubble): Promise<void> {
  const w = new Waiter();
  b.waiter = w;
  return park<void>(w, 'synctest.wait');
}

/** @internal The goroutine running now belongs to bubble `b`. */
export function runsIn(b: Bubble): boolean {
  return currentG().bubble === b;
}
