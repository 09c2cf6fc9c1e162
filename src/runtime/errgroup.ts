/**
 * errgroup (golang.org/x/sync/errgroup): a group of goroutines working on subtasks of a common
 * task, with the first error kept, an optional limit on active goroutines, and a context
 * cancelled on the first error.
 *
 * Invariants: `err` is set at most once (the first failure); `wg` counts goroutines started
 * and not finished; with a limit, `sem` holds one token per active goroutine, taken before the
 * goroutine starts and given back when it finishes.
 *
 * @module
 */

import { go } from './goroutine.js';
import { Chan, type MaybePromise } from './chan.js';
import { errSync } from './errors.js';
import { WaitGroup } from './sync/waitgroup.js';
import { kGroupCancel, kGroupDone, kGroupFail } from './_symbols.js';
import { withCancelCause, type CancelCauseFunc, type Context } from './context.js';

/**
 * A collection of goroutines working on subtasks of the same task (Go's `errgroup.Group`). The
 * zero value — `new Group()` — has no limit and does not cancel anything on error.
 *
 * @example
 * ```ts
 * const [g, ctx] = groupWithContext(background());
 * for (const url of urls) g.go(() => fetchInto(ctx, url, results));
 * await g.wait(); // throws the first error; ctx is cancelled by then
 * ```
 */
export class Group {
  readonly #wg = new WaitGroup();
  /** @internal Cancels the group's context (set by {@link groupWithContext}), or null. */
  [kGroupCancel]: CancelCauseFunc | null = null;
  /** One token per active goroutine when a limit is set. */
  #sem: Chan<void> | null = null;
  /** The first error, once `#failed`. */
  #err: unknown = undefined;
  #failed = false;

  /**
   * Calls `fn` in a new goroutine. The first `fn` to throw (or reject) sets the group's error
   * and cancels the group's context. With a limit (see {@link Group.setLimit}), waits (reason
   * `chan send`) until a goroutine slot is free: then it returns a promise.
   *
   * @param fn - the subtask; throwing is its error return, not a panic.
   * @returns `undefined` when the goroutine started at once, otherwise a promise that resolves
   * once it has started.
   */
  go(fn: () => unknown): MaybePromise<void> {
    const sem = this.#sem;
    if (sem !== null) {
      const p = sem.send(undefined); // takes a slot: plain undefined when one is free
      if (p !== undefined) return p.then(() => this.#start(fn));
    }
    this.#start(fn);
    return undefined;
  }

  /**
   * Calls `fn` in a new goroutine only if that is possible without waiting for a slot (Go's
   * `TryGo`).
   *
   * @returns true if the goroutine was started.
   */
  tryGo(fn: () => unknown): boolean {
    const sem = this.#sem;
    if (sem !== null && !sem.trySend(undefined)) return false;
    this.#start(fn);
    return true;
  }

  #start(fn: () => unknown): void {
    this.#wg.add(1);
    go(runInGroup, this, fn);
  }

  /**
   * Waits until every goroutine started with {@link Group.go} has finished, then cancels the
   * group's context (with the first error as its cause) and throws the first error, if any.
   *
   * @returns `undefined` at once if nothing is running and nothing failed, otherwise a promise.
   * @throws the first error returned by a goroutine of the group.
   */
  wait(): MaybePromise<void> {
    const p = this.#wg.wait();
    if (p === undefined) return this.#finish();
    return p.then(() => this.#finish());
  }

  #finish(): undefined {
    if (this[kGroupCancel] !== null) this[kGroupCancel](this.#failed ? (this.#err as Error) : undefined);
    if (this.#failed) throw this.#err;
    return undefined;
  }

  /**
   * Limits the number of active goroutines to `n`; a negative `n` removes the limit (Go's
   * `SetLimit`). `setLimit(0)` makes every later {@link Group.go} wait forever, as in Go.
   *
   * @throws StrandError `errgroup: modify limit while N goroutines in the group are still active`
   * (code `STRAND_ERR_SYNC`).
   */
  setLimit(n: number): void {
    if (n < 0) {
      this.#sem = null;
      return;
    }
    const active = this.#sem !== null ? this.#sem.len : 0;
    if (active !== 0) {
      throw errSync(`errgroup: modify limit while ${active} goroutines in the group are still active`);
    }
    this.#sem = new Chan<void>(n);
  }

  /** @internal A goroutine of the group failed: the first error is kept and cancels the context. */
  [kGroupFail](err: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#err = err;
    const cancel = this[kGroupCancel];
    if (cancel !== null) cancel(err instanceof Error ? err : new Error(String(err)));
  }

  /** @internal A goroutine of the group finished: its slot is freed and the count goes down. */
  [kGroupDone](): void {
    const sem = this.#sem;
    if (sem !== null) sem.tryRecv();
    this.#wg.done();
  }
}

async function runInGroup(g: Group, fn: () => unknown): Promise<void> {
  try {
    await fn();
  } catch (err) {
    g[kGroupFail](err);
  } finally {
    g[kGroupDone]();
  }
}

/**
 * Returns a new {@link Group} and a context derived from `parent`, cancelled the first time a
 * goroutine of the group fails (its cause is that error) or the first time `wait` returns,
 * whichever comes first (Go's `errgroup.WithContext`).
 *
 * @param parent - the parent context.
 * @returns `[group, ctx]`.
 * @example
 * ```ts
 * const [g, ctx] = groupWithContext(r.context());
 * g.go(() => fetchUser(ctx, id));
 * g.go(() => fetchOrders(ctx, id));
 * await g.wait();
 * ```
 */
export function groupWithContext(parent: Context): [Group, Context] {
  const [ctx, cancel] = withCancelCause(parent);
  const g = new Group();
  g[kGroupCancel] = cancel;
  return [g, ctx];
}
