/**
 * Context (Go's package context): cancellation, deadlines, causes and request-scoped values that
 * flow down a tree of contexts, with a two-way bridge to `AbortSignal`.
 *
 * ## Design
 * - A tree: `withCancel`, `withTimeout`, `withDeadline` and `fromSignal` create a cancelCtx
 *   (a timerCtx for deadlines) that registers itself in the `children` set of its nearest
 *   cancelable ancestor; cancelling a context cancels its children (same err and cause) and
 *   removes it from its parent's set. `withValue` adds a link that delegates everything but
 *   its own key. A parent that is not one of ours (a user's implementation of {@link Context})
 *   is followed through its `signal`.
 * - `done()` is created lazily (Go does the same); a context cancelled before anyone asked gets a
 *   shared closed channel. `signal` is an AbortController created lazily, aborted with the cause.
 * - Keep-alive: a deadline's Node timer is `unref()`ed and only `ref()`ed while something waits
 *   for the context to be done — a goroutine parked on `done()` of the context or of any
 *   descendant (the channel's `_onRecvWaiters` hook), or a blocking call that registered with
 *   {@link _afterDone}. So an abandoned timeout context never keeps a process alive, but a
 *   goroutine waiting for it does (and is not reported as a deadlock).
 *
 * State of a cancelCtx (single JS thread; fields touched only by this module):
 * - `err === null` until cancelled; then `err`, `cause` never change, `children === null`,
 *   `parentCc === null`, `done` is closed, the timer is cleared.
 * - `waiting` counts waiters on this context (its done channel's receive queue, keep-alive
 *   {@link _afterDone} entries, children with waiters); `contrib` is true iff `err === null &&
 *   waiting > 0`, and then this context counts as one waiter of `parentCc`, and its timer (if
 *   any) is ref'd.
 * - Abort listeners run synchronously, so `signal` is aborted last, after all state is settled.
 *
 * @module
 */

import { go } from './goroutine.js';
import { Chan } from './chan.js';
import { StrandError, codes, errInvalidArg } from './errors.js';

/**
 * Carries a deadline, a cancellation signal and request-scoped values across API boundaries and
 * between goroutines (Go's `context.Context`).
 */
export interface Context {
  /**
   * A channel closed when the context is cancelled or its deadline passes; usable in
   * `select` via `recvCase(ctx.done())`. `null` (Go's nil channel: never ready) for contexts
   * that can never be cancelled, such as {@link background}.
   */
  done(): Chan<void> | null;
  /** `null` while not done; then {@link Canceled} or {@link DeadlineExceeded}. */
  err(): Error | null;
  /** The deadline in ms since the epoch (as `Date.now()`), or `undefined` if there is none. */
  deadline(): number | undefined;
  /** The value stored for `key` by the nearest {@link withValue}, or `undefined`. */
  value<T = unknown>(key: unknown): T | undefined;
  /**
   * An `AbortSignal` aborted (with the cause as reason) when the context is done: pass it to
   * fetch, undici, `events.once`, `timers/promises` and other Node APIs.
   */
  readonly signal: AbortSignal;
}

/**
 * A context its creator can cancel by disposing it: what {@link withCancel}, {@link withTimeout},
 * {@link withDeadline}, their Cause variants and {@link fromSignal} return. `using` it is Go's
 * `defer cancel()`: when the scope ends, the context is cancelled (err {@link Canceled}, no
 * cause), exactly as by its cancel function; if it was already done, nothing changes.
 *
 * @example
 * ```ts
 * async function fetchUser(parent: Context, id: string): Promise<User> {
 *   using ctx = withTimeout(parent, 2 * Second)[0]; // cancelled when the function returns
 *   return await lookup(ctx, id);
 * }
 * ```
 */
export interface DisposableContext extends Context {
  /** Cancels the context, as its cancel function does (Go's `defer cancel()`); later calls do nothing. */
  [Symbol.dispose](): void;
}

/** A cancel function: cancels the context and its children; later calls do nothing. */
export type CancelFunc = () => void;
/** A cancel function that records a cause (returned by {@link withCancelCause}). */
export type CancelCauseFunc = (cause?: Error) => void;

/** `context canceled`: the error of a context cancelled by its cancel function (Go's `Canceled`). */
export const Canceled: StrandError = new StrandError(codes.CANCELED, 'context canceled');

/**
 * `context deadline exceeded`: the error of a context whose deadline passed (Go's
 * `DeadlineExceeded`).
 */
export const DeadlineExceeded: StrandError = new StrandError(codes.DEADLINE_EXCEEDED, 'context deadline exceeded');

/** Something a cancelCtx cancels along with itself: a child context or an {@link _afterDone} entry. */
interface Canceler {
  _cancel(removeFromParent: boolean, err: Error, cause: Error): void;
}

/** The shared closed channel for contexts cancelled before `done()` was first called. */
const closedChan = new Chan<void>(0);
closedChan.close();

let neverSignal: AbortSignal | null = null;

/** Base of strand's own contexts. */
abstract class BaseCtx implements Context {
  abstract done(): Chan<void> | null;
  abstract err(): Error | null;
  abstract deadline(): number | undefined;
  abstract value<T = unknown>(key: unknown): T | undefined;
  abstract get signal(): AbortSignal;
  /**
   * @internal The nearest cancelCtx at or above this context: null if there is none (never
   * cancelled), undefined if the chain reaches a context that is not ours.
   */
  abstract _cancelCtx(): CancelCtx | null | undefined;
}

class EmptyCtx extends BaseCtx {
  readonly _name: string;
  constructor(name: string) {
    super();
    this._name = name;
  }
  done(): null {
    return null;
  }
  err(): null {
    return null;
  }
  deadline(): undefined {
    return undefined;
  }
  value<T>(_key: unknown): T | undefined {
    return undefined;
  }
  override get signal(): AbortSignal {
    return (neverSignal ??= new AbortController().signal);
  }
  _cancelCtx(): null {
    return null;
  }
  override toString(): string {
    return this._name;
  }
}

const backgroundCtx = new EmptyCtx('context.Background');
const todoCtx = new EmptyCtx('context.TODO');

/**
 * The root of every context tree (Go's `context.Background()`): never cancelled, no values, no
 * deadline; `done()` is null.
 */
export function background(): Context {
  return backgroundCtx;
}

/** Like {@link background}, for code that has not yet decided which context to use (Go's `TODO`). */
export function todo(): Context {
  return todoCtx;
}

function nearestCancel(ctx: Context): CancelCtx | null | undefined {
  return ctx instanceof BaseCtx ? ctx._cancelCtx() : undefined;
}

function asError(reason: unknown): Error {
  if (reason instanceof Error) return reason;
  return new StrandError(codes.CANCELED, `context: aborted: ${String(reason)}`, { cause: reason });
}

class CancelCtx extends BaseCtx implements Canceler {
  readonly _parent: Context;
  _done: Chan<void> | null = null;
  _err: Error | null = null;
  _cause: Error | null = null;
  _children: Set<Canceler> | null = null;
  _ctl: AbortController | null = null;
  /** The cancelCtx whose `children` holds this one (null when the parent is foreign or none). */
  _parentCc: CancelCtx | null = null;
  /** Removes the abort listener on a foreign parent's signal. */
  _unlisten: (() => void) | null = null;
  _waiting = 0;
  _contrib = false;
  readonly _kind: string;

  constructor(parent: Context, kind: string) {
    super();
    this._parent = parent;
    this._kind = kind;
  }

  done(): Chan<void> {
    let d = this._done;
    if (d === null) {
      if (this._err !== null) return closedChan;
      d = new Chan<void>(0);
      d._onRecvWaiters = (waiting: boolean): void => this._wait(waiting ? 1 : -1);
      this._done = d;
    }
    return d;
  }

  err(): Error | null {
    return this._err;
  }

  deadline(): number | undefined {
    return this._parent.deadline();
  }

  value<T>(key: unknown): T | undefined {
    return this._parent.value<T>(key);
  }

  override get signal(): AbortSignal {
    let ctl = this._ctl;
    if (ctl === null) {
      ctl = this._ctl = new AbortController();
      if (this._err !== null) ctl.abort(this._cause);
    }
    return ctl.signal;
  }

  _cancelCtx(): CancelCtx {
    return this;
  }

  /** Adds `delta` waiters and updates the keep-alive contribution (see module invariants). */
  _wait(delta: number): void {
    this._waiting += delta;
    const want = this._err === null && this._waiting > 0;
    if (want === this._contrib) return;
    this._contrib = want;
    this._keepAlive(want);
    const p = this._parentCc;
    if (p !== null) p._wait(want ? 1 : -1);
  }

  /** Timer contexts ref/unref their timer. */
  _keepAlive(_on: boolean): void {}

  _cancel(removeFromParent: boolean, err: Error, cause: Error | null): void {
    if (this._err !== null) return;
    this._err = err;
    const c = (this._cause = cause ?? err);
    this._wait(0); // drop the keep-alive contribution now that err is set
    this._stopTimer();
    const d = this._done;
    if (d === null) this._done = closedChan;
    else d.close();
    const children = this._children;
    this._children = null;
    if (children !== null) for (const child of children) child._cancel(false, err, c);
    const p = this._parentCc;
    this._parentCc = null;
    if (removeFromParent && p !== null && p._children !== null) p._children.delete(this);
    if (this._unlisten !== null) {
      this._unlisten();
      this._unlisten = null;
    }
    if (this._ctl !== null) this._ctl.abort(c); // listeners run now: state is settled
  }

  _stopTimer(): void {}

  /** Cancels with {@link Canceled}, as the cancel function of withCancel does (see {@link DisposableContext}). */
  [Symbol.dispose](): void {
    this._cancel(true, Canceled, null);
  }

  override toString(): string {
    return `${String(this._parent)}.${this._kind}`;
  }
}

/** Hooks `child` into `parent`'s cancellation (Go's `propagateCancel`). */
function propagateCancel(parent: Context, child: CancelCtx): void {
  const p = nearestCancel(parent);
  if (p === null) return; // parent can never be cancelled
  if (p !== undefined) {
    if (p._err !== null) {
      child._cancel(false, p._err, p._cause);
      return;
    }
    (p._children ??= new Set()).add(child);
    child._parentCc = p;
    return;
  }
  // A foreign parent: follow its signal.
  if (parent.done() === null) return;
  const err = parent.err();
  if (err !== null) {
    child._cancel(false, err, cause(parent));
    return;
  }
  const sig = parent.signal;
  const onAbort = (): void => child._cancel(false, parent.err() ?? Canceled, cause(parent) ?? asError(sig.reason));
  sig.addEventListener('abort', onAbort, { once: true });
  child._unlisten = () => sig.removeEventListener('abort', onAbort);
}

function checkParent(parent: Context): void {
  if (parent === null || parent === undefined) {
    throw errInvalidArg('context: cannot create context from nil parent');
  }
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
  checkParent(parent);
  const c = new CancelCtx(parent, 'WithCancel');
  propagateCancel(parent, c);
  return [c, () => c._cancel(true, Canceled, null)];
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
  checkParent(parent);
  const c = new CancelCtx(parent, 'WithCancelCause');
  propagateCancel(parent, c);
  return [c, (why?: Error) => c._cancel(true, Canceled, why ?? null)];
}

/** Node accepts timer delays up to 2^31-1 ms; longer deadlines re-arm when that elapses. */
const MAX_DELAY = 0x7fffffff;

class TimerCtx extends CancelCtx {
  readonly _deadline: number;
  /** The cause recorded when the deadline passes (null: DeadlineExceeded itself). */
  readonly _deadlineCause: Error | null;
  _timer: NodeJS.Timeout | null = null;

  constructor(parent: Context, deadline: number, why: Error | null) {
    super(parent, `WithDeadline(${new Date(deadline).toISOString()})`);
    this._deadline = deadline;
    this._deadlineCause = why;
  }

  override deadline(): number {
    return this._deadline;
  }

  _arm(dur: number): void {
    const t = setTimeout(fireDeadline, dur > MAX_DELAY ? MAX_DELAY : dur, this);
    if (!this._contrib) t.unref();
    this._timer = t;
  }

  override _keepAlive(on: boolean): void {
    const t = this._timer;
    if (t === null) return;
    if (on) t.ref();
    else t.unref();
  }

  override _stopTimer(): void {
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
    }
  }
}

function fireDeadline(c: TimerCtx): void {
  c._timer = null;
  const left = c._deadline - Date.now();
  if (left > 0) c._arm(left); // a deadline beyond Node's maximum delay, or an early wake-up
  else c._cancel(true, DeadlineExceeded, c._deadlineCause);
}

/**
 * Returns a child of `parent` that is cancelled with {@link DeadlineExceeded} at `deadline`
 * (Go's `context.WithDeadline`), or earlier by `cancel` or by its parent. If the parent's
 * deadline is already earlier, the child simply inherits it. The deadline's timer keeps the
 * process alive only while a goroutine waits on the context; `cancel` clears it.
 *
 * @param parent - the parent context.
 * @param deadline - a Date or ms since the epoch.
 * @returns `[ctx, cancel]`; `ctx` is a {@link DisposableContext} (disposing it cancels it).
 * @example
 * ```ts
 * const [ctx, cancel] = withDeadline(background(), Date.now() + 5 * Second);
 * try { await work(ctx); } finally { cancel(); }
 * ```
 */
export function withDeadline(parent: Context, deadline: Date | number): [DisposableContext, CancelFunc] {
  return withDeadlineCause(parent, deadline, null);
}

/**
 * Like {@link withDeadline}, but when the deadline passes the context's cause is `why` (Go's
 * `context.WithDeadlineCause`); `err()` is still {@link DeadlineExceeded}. The returned cancel
 * function does not set the cause.
 *
 * @param parent - the parent context.
 * @param deadline - a Date or ms since the epoch.
 * @param why - the cause recorded if the deadline passes (null: DeadlineExceeded).
 * @returns `[ctx, cancel]`; `ctx` is a {@link DisposableContext} (disposing it cancels it).
 * @example
 * ```ts
 * const [ctx, cancel] = withDeadlineCause(background(), Date.now() + 100, new Error('backend too slow'));
 * ```
 */
export function withDeadlineCause(parent: Context, deadline: Date | number, why: Error | null): [DisposableContext, CancelFunc] {
  checkParent(parent);
  const d = typeof deadline === 'number' ? deadline : deadline.getTime();
  const cur = parent.deadline();
  if (cur !== undefined && cur < d) {
    // The current deadline is already sooner than the new one.
    return withCancel(parent);
  }
  const c = new TimerCtx(parent, d, why);
  propagateCancel(parent, c);
  const dur = d - Date.now();
  if (!(dur > 0)) {
    c._cancel(true, DeadlineExceeded, why); // deadline already passed
    return [c, () => c._cancel(false, Canceled, null)];
  }
  if (c._err === null) c._arm(dur);
  return [c, () => c._cancel(true, Canceled, null)];
}

/**
 * `withDeadline(parent, Date.now() + ms)` (Go's `context.WithTimeout`).
 *
 * @param parent - the parent context.
 * @param ms - the timeout in milliseconds.
 * @returns `[ctx, cancel]`; `ctx` is a {@link DisposableContext} (disposing it cancels it).
 * @example
 * ```ts
 * const [ctx, cancel] = withTimeout(background(), 100 * Millisecond);
 * const d = recvCase(ctx.done()), r = recvCase(results);
 * if ((await select([d, r])) === 0) console.log(ctx.err()); // context deadline exceeded
 * cancel();
 * ```
 */
export function withTimeout(parent: Context, ms: number): [DisposableContext, CancelFunc] {
  return withDeadlineCause(parent, Date.now() + ms, null);
}

/**
 * Like {@link withTimeout}, but when the timeout passes the context's cause is `why` (Go's
 * `context.WithTimeoutCause`).
 *
 * @param parent - the parent context.
 * @param ms - the timeout in milliseconds.
 * @param why - the cause recorded if the timeout passes.
 * @returns `[ctx, cancel]`; `ctx` is a {@link DisposableContext} (disposing it cancels it).
 * @example
 * ```ts
 * const [ctx, cancel] = withTimeoutCause(r.context(), 2 * Second, new Error('upstream timeout'));
 * ```
 */
export function withTimeoutCause(parent: Context, ms: number, why: Error | null): [DisposableContext, CancelFunc] {
  return withDeadlineCause(parent, Date.now() + ms, why);
}

class WithoutCancelCtx extends BaseCtx {
  readonly _parent: Context;
  constructor(parent: Context) {
    super();
    this._parent = parent;
  }
  done(): null {
    return null;
  }
  err(): null {
    return null;
  }
  deadline(): undefined {
    return undefined;
  }
  value<T>(key: unknown): T | undefined {
    return this._parent.value<T>(key);
  }
  override get signal(): AbortSignal {
    return (neverSignal ??= new AbortController().signal);
  }
  _cancelCtx(): null {
    return null;
  }
  override toString(): string {
    return `${String(this._parent)}.WithoutCancel`;
  }
}

/**
 * Returns a context with `parent`'s values that is never cancelled, has no deadline and a null
 * `done()` (Go's `context.WithoutCancel`): for work that must outlive the request that started
 * it (an audit log write after the response).
 *
 * @param parent - the context whose values to keep.
 * @returns the detached context.
 * @example
 * ```ts
 * go(writeAuditLog, withoutCancel(r.context()), entry);
 * ```
 */
export function withoutCancel(parent: Context): Context {
  checkParent(parent);
  return new WithoutCancelCtx(parent);
}

class ValueCtx extends BaseCtx {
  readonly _parent: Context;
  readonly _key: unknown;
  readonly _val: unknown;

  constructor(parent: Context, key: unknown, val: unknown) {
    super();
    this._parent = parent;
    this._key = key;
    this._val = val;
  }
  done(): Chan<void> | null {
    return this._parent.done();
  }
  err(): Error | null {
    return this._parent.err();
  }
  deadline(): number | undefined {
    return this._parent.deadline();
  }
  value<T>(key: unknown): T | undefined {
    // Walk value links iteratively; deep chains are common (one per middleware).
    let c: Context = this;
    while (c instanceof ValueCtx) {
      if (c._key === key) return c._val as T;
      c = c._parent;
    }
    return c.value<T>(key);
  }
  override get signal(): AbortSignal {
    return this._parent.signal;
  }
  _cancelCtx(): CancelCtx | null | undefined {
    return nearestCancel(this._parent);
  }
  override toString(): string {
    return `${String(this._parent)}.WithValue(${String(this._key)}, ${String(this._val)})`;
  }
}

/**
 * Returns a child of `parent` whose `value(key)` is `value` (Go's `context.WithValue`). Use it
 * for request-scoped data, not optional parameters; use a key only your package can create (a
 * `Symbol` or a class instance) so packages cannot collide. Keys are compared with `===`.
 *
 * @param parent - the parent context.
 * @param key - the key (not null or undefined).
 * @param value - the value.
 * @returns the child context.
 * @throws StrandError `context: nil key` (code `STRAND_ERR_INVALID_ARG`).
 * @example
 * ```ts
 * const userKey = Symbol('user');
 * const ctx = withValue(r.context(), userKey, user);
 * ctx.value<User>(userKey); // user
 * ```
 */
export function withValue(parent: Context, key: unknown, value: unknown): Context {
  checkParent(parent);
  if (key === null || key === undefined) throw errInvalidArg('context: nil key');
  return new ValueCtx(parent, key, value);
}

/**
 * Returns a child of `parent` that is cancelled when `signal` aborts, with the signal's reason
 * as its cause (a non-Error reason is wrapped) — the bridge from Node's `AbortSignal` to
 * contexts. The listener is removed when the context is cancelled.
 *
 * @param parent - the parent context.
 * @param signal - the signal to follow.
 * @returns `[ctx, cancel]`; `ctx` is a {@link DisposableContext} (disposing it cancels it).
 * @example
 * ```ts
 * const ac = new AbortController();
 * const [ctx, cancel] = fromSignal(background(), ac.signal);
 * ac.abort(new Error('shutting down'));
 * ctx.err();   // Canceled
 * cause(ctx);  // Error: shutting down
 * ```
 */
export function fromSignal(parent: Context, signal: AbortSignal): [DisposableContext, CancelFunc] {
  checkParent(parent);
  const c = new CancelCtx(parent, 'FromSignal');
  propagateCancel(parent, c);
  if (c._err === null) {
    if (signal.aborted) {
      c._cancel(true, Canceled, asError(signal.reason));
    } else {
      const onAbort = (): void => c._cancel(true, Canceled, asError(signal.reason));
      signal.addEventListener('abort', onAbort, { once: true });
      const unlistenParent = c._unlisten; // set when the parent is a foreign context
      c._unlisten = () => {
        signal.removeEventListener('abort', onAbort);
        if (unlistenParent !== null) unlistenParent();
      };
    }
  }
  return [c, () => c._cancel(true, Canceled, null)];
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
  if (cc !== null && cc !== undefined) return cc._cause;
  return ctx.err();
}

/**
 * Arranges for `f` to run in its own goroutine once `ctx` is done (Go's `context.AfterFunc`);
 * at once (in a new goroutine, after the caller continues) if it already is. Registrations are
 * independent of each other. A pending call does not keep the process alive. Exported only
 * through the `context` namespace (`context.afterFunc`), as the flat name is time's.
 *
 * @param ctx - the context to follow.
 * @param f - the function to run.
 * @returns `stop()`: unregisters `f`; true if that prevented it from running, false if it was
 * already started or stopped.
 * @example
 * ```ts
 * const stop = context.afterFunc(ctx, () => conn.close()); // unblock a read on cancel
 * try { n = await conn.read(buf); } finally { stop(); }
 * ```
 */
export function afterFunc(ctx: Context, f: () => unknown): () => boolean {
  const a = new AfterFuncState(f);
  if (ctx.err() !== null) {
    a.start();
    return () => false;
  }
  const unregister = _afterDone(ctx, () => a.start(), false);
  return () => {
    if (a.state !== 0) return false;
    a.state = 2;
    if (unregister !== null) unregister();
    return true;
  };
}

class AfterFuncState {
  /** 0 pending, 1 started, 2 stopped. */
  state = 0;
  readonly f: () => unknown;
  constructor(f: () => unknown) {
    this.f = f;
  }
  start(): void {
    if (this.state !== 0) return;
    this.state = 1;
    // Not inside the cancellation that triggered it: f starts in a fresh microtask.
    queueMicrotask(() => go(this.f));
  }
}

// ---- internal: waiting for a context without a channel -------------------------------------

class AfterDone implements Canceler {
  readonly fn: () => void;
  readonly cc: CancelCtx;
  readonly keepAlive: boolean;
  constructor(fn: () => void, cc: CancelCtx, keepAlive: boolean) {
    this.fn = fn;
    this.cc = cc;
    this.keepAlive = keepAlive;
  }
  _cancel(): void {
    this.fn();
  }
  stop(): boolean {
    const cc = this.cc;
    if (cc._children === null || !cc._children.delete(this)) return false;
    if (this.keepAlive) cc._wait(-1);
    return true;
  }
}

/**
 * @internal Calls `fn` (synchronously, inside the cancellation) when `ctx` becomes done — how
 * blocking operations (a semaphore acquire) wait for a context without a select. With
 * `keepAlive`, the registration counts as a goroutine waiting on the context (its deadline timer
 * keeps the process alive). Returns a function that unregisters and reports whether it did so
 * before `fn` ran, or null if `ctx` can never be done. The caller checks `ctx.err()` first.
 */
export function _afterDone(ctx: Context, fn: () => void, keepAlive: boolean): (() => boolean) | null {
  const cc = nearestCancel(ctx);
  if (cc === null) return null;
  if (cc !== undefined) {
    const a = new AfterDone(fn, cc, keepAlive);
    (cc._children ??= new Set()).add(a);
    if (keepAlive) cc._wait(1);
    return () => a.stop();
  }
  if (ctx.done() === null) return null;
  const sig = ctx.signal;
  let fired = false;
  const onAbort = (): void => {
    fired = true;
    fn();
  };
  sig.addEventListener('abort', onAbort, { once: true });
  return () => {
    sig.removeEventListener('abort', onAbort);
    return !fired;
  };
}
