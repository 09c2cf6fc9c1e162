/**
 * Cancel contexts (Go's `cancelCtx`): the tree every cancellation flows down, `withCancel`,
 * `withCancelCause` and `cause`. Also the base of strand's own contexts and the context →
 * AbortSignal direction of the bridge (`ctx.signal`).
 *
 * ## The tree
 * `withCancel`, `withTimeout`, `withDeadline` and `fromSignal` create a cancelCtx (a timerCtx for
 * deadlines, deadline.ts) that registers itself in the children of its nearest cancelable
 * ancestor; cancelling a context cancels its children (same err and cause) and removes it from
 * its parent's set. A parent that is not one of ours (a user's implementation of
 * {@link Context}) is followed through its `signal`. `done()` is created lazily (Go does the
 * same); a context cancelled before anyone asked gets a shared closed channel. `signal` is an
 * AbortController created lazily, aborted with the cause.
 *
 * ## Keep-alive
 * A deadline's Node timer is `unref()`ed and only `ref()`ed while something waits for the
 * context to be done — a goroutine parked on `done()` of the context or of any descendant (the
 * channel's watch hook), or a blocking call that registered with `afterDone` (afterfunc.ts). So
 * an abandoned timeout context never keeps a process alive, but a goroutine waiting for it does
 * (and is not reported as a deadlock).
 *
 * ## State of a cancelCtx (single JS thread; fields touched only by the context files)
 * - `kErr === null` until cancelled; then `kErr`, `kCause` never change, `kChildren === null`,
 *   `kParentCc === null`, `done` is closed, the timer is cleared.
 * - `#waiting` counts waiters on this context (its done channel's receive queue, keep-alive
 *   `afterDone` entries, children with waiters); `kContrib` is true iff `kErr === null &&
 *   #waiting > 0`, and then this context counts as one waiter of `kParentCc`, and its timer (if
 *   any) is ref'd.
 * - Abort listeners run synchronously, so `signal` is aborted last, after all state is settled.
 *
 * @module
 */

import { Chan } from '../chan.js';
import { StrandError, codes, errInvalidArg } from '../errors.js';
import {
  kCancel,
  kCancelCtx,
  kCause,
  kChildren,
  kContrib,
  kErr,
  kKeepAlive,
  kParentCc,
  kStopTimer,
  kUnlisten,
  kWait,
  kWatch,
} from '../_symbols.js';
import { Canceled, type CancelCauseFunc, type CancelFunc, type Context, type DisposableContext } from './types.js';

/** @internal Something a cancelCtx cancels along with itself: a child context or an afterDone entry. */
export interface Canceler {
  [kCancel](removeFromParent: boolean, err: Error, cause: Error | null): void;
}

/** @internal Base of strand's own contexts. */
export abstract class BaseCtx implements Context {
  abstract done(): Chan<void> | null;
  abstract err(): Error | null;
  abstract deadline(): number | undefined;
  abstract value<T = unknown>(key: unknown): T | undefined;
  abstract get signal(): AbortSignal;
  /**
   * @internal The nearest cancelCtx at or above this context: null if there is none (never
   * cancelled), undefined if the chain reaches a context that is not ours.
   */
  abstract [kCancelCtx](): CancelCtx | null | undefined;
}

/** @internal The nearest cancelCtx at or above `ctx` (see {@link BaseCtx}). */
export function nearestCancel(ctx: Context): CancelCtx | null | undefined {
  return ctx instanceof BaseCtx ? ctx[kCancelCtx]() : undefined;
}

/** @internal Every constructor of a derived context refuses a missing parent. */
export function checkParent(parent: Context): void {
  if (parent === null || parent === undefined) {
    throw errInvalidArg('context: cannot create context from nil parent');
  }
}

/** @internal An abort reason as a cause: an Error as is, anything else wrapped. */
export function asError(reason: unknown): Error {
  if (reason instanceof Error) return reason;
  return new StrandError(codes.CANCELED, `context: aborted: ${String(reason)}`, { cause: reason });
}

/** The shared closed channel for contexts cancelled before `done()` was first called. */
const closedChan = new Chan<void>(0);
closedChan.close();

/** @internal A cancelable context (Go's `cancelCtx`); timerCtx extends it. */
export class CancelCtx extends BaseCtx implements Canceler {
  readonly #parent: Context;
  #done: Chan<void> | null = null;
  /** @internal */ [kErr]: Error | null = null;
  /** @internal */ [kCause]: Error | null = null;
  /** @internal */ [kChildren]: Set<Canceler> | null = null;
  #ctl: AbortController | null = null;
  /** @internal */ [kParentCc]: CancelCtx | null = null;
  /** @internal Removes the abort listener on a foreign parent's signal (or fromSignal's signal). */
  [kUnlisten]: (() => void) | null = null;
  #waiting = 0;
  /** @internal */ [kContrib] = false;
  readonly #kind: string;

  constructor(parent: Context, kind: string) {
    super();
    this.#parent = parent;
    this.#kind = kind;
  }

  done(): Chan<void> {
    let d = this.#done;
    if (d === null) {
      if (this[kErr] !== null) return closedChan;
      d = new Chan<void>(0);
      d[kWatch]((waiting: boolean): void => this[kWait](waiting ? 1 : -1));
      this.#done = d;
    }
    return d;
  }

  err(): Error | null {
    return this[kErr];
  }

  deadline(): number | undefined {
    return this.#parent.deadline();
  }

  value<T>(key: unknown): T | undefined {
    return this.#parent.value<T>(key);
  }

  override get signal(): AbortSignal {
    let ctl = this.#ctl;
    if (ctl === null) {
      ctl = this.#ctl = new AbortController();
      if (this[kErr] !== null) ctl.abort(this[kCause]);
    }
    return ctl.signal;
  }

  /** @internal */
  [kCancelCtx](): CancelCtx {
    return this;
  }

  /** @internal Adds `delta` waiters and updates the keep-alive contribution (see module invariants). */
  [kWait](delta: number): void {
    this.#waiting += delta;
    const want = this[kErr] === null && this.#waiting > 0;
    if (want === this[kContrib]) return;
    this[kContrib] = want;
    this[kKeepAlive](want);
    const p = this[kParentCc];
    if (p !== null) p[kWait](want ? 1 : -1);
  }

  /** @internal Timer contexts ref/unref their timer. */
  [kKeepAlive](_on: boolean): void {}

  /** @internal Timer contexts clear their timer. */
  [kStopTimer](): void {}

  /** @internal Cancels this context and its children with `err` and `cause` (null: `err`). */
  [kCancel](removeFromParent: boolean, err: Error, cause: Error | null): void {
    if (this[kErr] !== null) return;
    this[kErr] = err;
    const c = (this[kCause] = cause ?? err);
    this[kWait](0); // drop the keep-alive contribution now that err is set
    this[kStopTimer]();
    const d = this.#done;
    if (d === null) this.#done = closedChan;
    else d.close();
    const children = this[kChildren];
    this[kChildren] = null;
    if (children !== null) for (const child of children) child[kCancel](false, err, c);
    const p = this[kParentCc];
    this[kParentCc] = null;
    if (removeFromParent && p !== null && p[kChildren] !== null) p[kChildren].delete(this);
    const unlisten = this[kUnlisten];
    if (unlisten !== null) {
      unlisten();
      this[kUnlisten] = null;
    }
    if (this.#ctl !== null) this.#ctl.abort(c); // listeners run now: state is settled
  }

  /** Cancels with {@link Canceled}, as the cancel function of withCancel does (see {@link DisposableContext}). */
  [Symbol.dispose](): void {
    this[kCancel](true, Canceled, null);
  }

  override toString(): string {
    return `${String(this.#parent)}.${this.#kind}`;
  }
}

/** @internal Hooks `child` into `parent`'s cancellation (Go's `propagateCancel`). */
export function propagateCancel(parent: Context, child: CancelCtx): void {
  const p = nearestCancel(parent);
  if (p === null) return; // parent can never be cancelled
  if (p !== undefined) {
    if (p[kErr] !== null) {
      child[kCancel](false, p[kErr], p[kCause]);
      return;
    }
    (p[kChildren] ??= new Set()).add(child);
    child[kParentCc] = p;
    return;
  }
  // A foreign parent: follow its signal.
  if (parent.done() === null) return;
  const err = parent.err();
  if (err !== null) {
    child[kCancel](false, err, cause(parent));
    return;
  }
  const sig = parent.signal;
  const onAbort = (): void => child[kCancel](false, parent.err() ?? Canceled, cause(parent) ?? asError(sig.reason));
  sig.addEventListener('abort', onAbort, { once: true });
  child[kUnlisten] = () => sig.removeEventListener('abort', onAbort);
}

/** @internal A cancelCtx hooked into `parent` (the start of every cancelable constructor). */
export function newCancelCtx(parent: Context, kind: string): CancelCtx {
  checkParent(parent);
  const c = new CancelCtx(parent, kind);
  propagateCancel(parent, c);
  return c;
}

/**
 * Returns a child of `parent` with its own done channel, and a function that cancels it (Go's
 * `context.WithCancel`). The child is cancelled when `cancel` is called or when `parent` is,
 * whichever happens first; call `cancel` as soon as the work is done, to release the child's
 * resources (it is removed from its parent).
 *
 * @param parent - the parent context.
 * @returns `[ctx, cancel]`; `ctx` is a {@link DisposableContext} (disposing it cancels it).
 * @throws StrandError `context: cannot create context from nil parent` (code
 * `STRAND_ERR_INVALID_ARG`).
 * @example
 * ```ts
 * const [ctx, cancel] = withCancel(background());
 * go(worker, ctx);
 * // ...
 * cancel(); // worker sees ctx.done() closed and ctx.err() === Canceled
 * ```
 */
export function withCancel(parent: Context): [DisposableContext, CancelFunc] {
  const c = newCancelCtx(parent, 'WithCancel');
  return [c, () => c[kCancel](true, Canceled, null)];
}

/**
 * Like {@link withCancel}, but the cancel function records a cause, returned by {@link cause}
 * (Go's `context.WithCancelCause`). `err()` is still {@link Canceled}. Without a cause,
 * `cause(ctx)` is {@link Canceled}.
 *
 * @param parent - the parent context.
 * @returns `[ctx, cancel(cause?)]`; `ctx` is a {@link DisposableContext} (disposing it cancels it, with no cause).
 * @example
 * ```ts
 * const [ctx, cancel] = withCancelCause(background());
 * cancel(new Error('client went away'));
 * cause(ctx); // Error: client went away
 * ```
 */
export function withCancelCause(parent: Context): [DisposableContext, CancelCauseFunc] {
  const c = newCancelCtx(parent, 'WithCancelCause');
  return [c, (why?: Error) => c[kCancel](true, Canceled, why ?? null)];
}

/**
 * The cause of a context's cancellation (Go's `context.Cause`): the error given to a
 * {@link withCancelCause} cancel function, the reason of a {@link fromSignal} signal, otherwise
 * the same as `ctx.err()`. `null` while the context is not done.
 *
 * @param ctx - the context.
 * @returns the cause, or null.
 * @example
 * ```ts
 * if (ctx.err() !== null) log.info({ cause: cause(ctx) }, 'request abandoned');
 * ```
 */
export function cause(ctx: Context): Error | null {
  const cc = nearestCancel(ctx);
  if (cc !== null && cc !== undefined) return cc[kCause];
  return ctx.err();
}
