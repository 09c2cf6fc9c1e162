/**
 * Value contexts (Go's `valueCtx` and `withoutCancelCtx`): `withValue` adds one key/value link
 * that delegates everything else to its parent; `withoutCancel` keeps a parent's values and
 * drops its cancellation and deadline (a never-cancelled context, empty.ts's `NeverCtx`, with a
 * parent).
 *
 * Invariants: both are immutable once made; a value link answers only its own key (compared
 * with `===`), and `value()` walks consecutive value links iteratively.
 *
 * @module
 */

import type { Chan } from '../chan.js';
import { errInvalidArg } from '../errors.js';
import { kCancelCtx } from '../_symbols.js';
import { BaseCtx, checkParent, nearestCancel, type CancelCtx } from './cancel.js';
import { NeverCtx } from './empty.js';
import type { Context } from './types.js';

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
  return new NeverCtx(parent, 'WithoutCancel');
}

class ValueCtx extends BaseCtx {
  readonly #parent: Context;
  readonly #key: unknown;
  readonly #val: unknown;

  constructor(parent: Context, key: unknown, val: unknown) {
    super();
    this.#parent = parent;
    this.#key = key;
    this.#val = val;
  }
  done(): Chan<void> | null {
    return this.#parent.done();
  }
  err(): Error | null {
    return this.#parent.err();
  }
  deadline(): number | undefined {
    return this.#parent.deadline();
  }
  value<T>(key: unknown): T | undefined {
    // Walk value links iteratively; deep chains are common (one per middleware).
    let c: Context = this;
    while (c instanceof ValueCtx) {
      if (c.#key === key) return c.#val as T;
      c = c.#parent;
    }
    return c.value<T>(key);
  }
  override get signal(): AbortSignal {
    return this.#parent.signal;
  }
  /** @internal */
  [kCancelCtx](): CancelCtx | null | undefined {
    return nearestCancel(this.#parent);
  }
  override toString(): string {
    return `${String(this.#parent)}.WithValue(${String(this.#key)}, ${String(this.#val)})`;
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
