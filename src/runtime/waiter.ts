/**
 * The two records park/ready work on: a goroutine ({@link G}) and what it parks on
 * ({@link Waiter}, Go's `sudog`). Data only; goroutine.ts owns their life cycle.
 *
 * Invariants (single JS thread):
 * - Every Waiter has the one shape the class gives it (never subclassed, never given extra
 *   properties): park and ready stay monomorphic. Per-wait state of other layers lives in their
 *   own objects (the netpoller keeps it beside a plain Waiter, see netpoll.ts).
 * - `Waiter.resolve !== null` exactly while the waiter is parked and not yet readied.
 * - `Waiter.queued` is true exactly while the waiter is in a wait queue (waitq.ts).
 *
 * @module
 */

/** Goroutine states, as Go names them. */
export const GState = {
  Runnable: 0,
  Running: 1,
  Waiting: 2,
  Dead: 3,
} as const;
/** One of {@link GState}'s values. */
export type GState = (typeof GState)[keyof typeof GState];

/** @internal `G.waitObj` of a goroutine that can never be woken: its channel or primitive is garbage. */
export const LEAKED = -1;

const stateNames = ['runnable', 'running', 'waiting', 'dead'] as const;

/** @internal Name of a state, as the dump shows it. */
export function stateName(s: GState): string {
  return stateNames[s];
}

/**
 * A goroutine's record. Fields are owned by goroutine.ts (the registry, park/ready); read them
 * through the dump's `goroutines()`.
 */
export class G {
  readonly id: number;
  /**
   * The name of the function the goroutine runs (shown by the dump), read once by `go`. Only the
   * name is kept, never the function: the registry holds every live G, and a function's closure
   * often captures the very channel the goroutine parks on, which would keep that channel alive
   * forever and hide the leak (see leak.ts).
   */
  readonly fnName: string;
  state: GState = GState.Running as GState;
  /** Why it is waiting; meaningful only in state Waiting. */
  waitReason = '';
  /** Coarse timestamp (ms since process start) of the last park. */
  waitSince = 0;
  /**
   * Leak tracking (leak.ts): the id of the channel or sync primitive whose queue alone holds this
   * goroutine's waiter while it is parked there, 0 when the park is not tracked (timers, I/O,
   * select), {@link LEAKED} once that owner has been garbage-collected. Reset by every park.
   */
  waitObj = 0;
  /** Creation site (`created by` line), captured only in debug mode; a string, never a live stack. */
  readonly createdAt: string | null;
  /** Intrusive list of live goroutines; guarded by goroutine.ts. */
  prevG: G | null = null;
  nextG: G | null = null;
  /**
   * @internal The synctest bubble the goroutine belongs to (inherited from its creator at `go()`),
   * or null. Set once by goroutine.ts; the bubble (bubble.ts) owns what it points to.
   */
  bubble: BubbleHooks | null = null;

  constructor(id: number, fnName: string, createdAt: string | null) {
    this.id = id;
    this.fnName = fnName;
    this.createdAt = createdAt;
  }
}

/**
 * @internal What park/ready/go/exit tell a goroutine's synctest bubble (bubble.ts implements it;
 * goroutine.ts calls it only for goroutines whose `bubble` is non-null, so code outside bubbles
 * pays one field check).
 */
export interface BubbleHooks {
  /** `g` was started in the bubble. */
  go(g: G): void;
  /** `g` parked on `w` with `reason` (the bubble decides whether that is durably blocking). */
  park(g: G, w: Waiter, reason: string): void;
  /** `g`'s park was readied: it can run again. */
  ready(g: G): void;
  /** `g` ended. */
  exit(g: G): void;
  /** `g` threw: true if the bubble took the failure (its test fails), false for a process panic. */
  panic(g: G, err: unknown): boolean;
}

/**
 * Something a goroutine parks on: Go's `sudog`, one shape for every kind of wait (channels,
 * select, sync, timers, the netpoller).
 *
 * **Do not subclass it.** `park` and `ready` are the hottest functions in strand; every extra
 * class that flows through them makes their property accesses polymorphic and then megamorphic
 * (measured: a channel ping-pong went from ~380 to ~590 ns per round trip once six waiter classes
 * had passed through `ready`). Keep per-wait state in the generic fields below or in your own
 * object that points to the waiter.
 *
 * Field ownership:
 * - `g`, `resolve`: the runtime's. `park` sets them, `ready` clears `resolve`. Only the resolve
 *   function is kept (a parked goroutine is the most numerous object a server has); `readyError`
 *   settles through it with a thenable that rejects.
 * - `value`, `ok`, `mode`, `isSend`, `sel`, `idx`, `chan`: channels and select (see sudog.ts).
 *   Other users may use `value` as a free slot (the netpoller keeps its per-wait state there).
 * - `queued`, `next`, `prev`: the wait queue that holds the waiter (waitq.ts: a circular list,
 *   so the last waiter's `next` is the first). A waiter is in at most one queue at a time. If you
 *   build your own queue, link through these fields too, or keep your own links.
 */
export class Waiter {
  g: G | null = null;
  resolve: ((v: any) => void) | null = null;
  /** Send: the value to send. Receive / select case: the value received. Free slot otherwise. */
  value: unknown = undefined;
  /** Receive: false if completed by close. */
  ok = false;
  /** Receive result form (sudog.ts RecvMode). */
  mode = 0;
  /** A send (channel queues) rather than a receive. */
  isSend = false;
  /** The select waiter this case belongs to while parked in a select. */
  sel: Waiter | null = null;
  /** Index of this case in its select. */
  idx = 0;
  /** Channel: the channel a plain sudog is queued on, or a select case's channel. */
  chan: any = null;
  /** True while in a queue. */
  queued = false;
  /** The next waiter of its queue (circular); null outside a queue. */
  next: Waiter | null = null;
  /** The previous waiter of its queue (circular); null outside a queue. */
  prev: Waiter | null = null;
}
