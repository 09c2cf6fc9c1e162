/**
 * The roots of every context tree: `background()` and `todo()` (Go's `emptyCtx`) — never
 * cancelled, no values, no deadline, a null `done()` — and the class they share with
 * `withoutCancel` (value.ts), a never-cancelled context that may keep a parent's values.
 *
 * Invariant: both are singletons; every never-cancelled context (these and `withoutCancel`'s)
 * shares one `signal` that never aborts.
 *
 * @module
 */

import { kCancelCtx } from '../_symbols.js';
import { BaseCtx } from './cancel.js';
import type { Context } from './types.js';

/** The shared signal of contexts that can never be cancelled (made on first use). */
let never: AbortSignal | null = null;

/**
 * @internal A context that is never cancelled and has no deadline: a root (no parent), or
 * `withoutCancel(parent)` (value.ts), which keeps its parent's values.
 */
export class NeverCtx extends BaseCtx {
  readonly #parent: Context | null;
  readonly #name: string;
  constructor(parent: Context | null, name: string) {
    super();
    this.#parent = parent;
    this.#name = name;
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
    return this.#parent !== null ? this.#parent.value<T>(key) : undefined;
  }
  override get signal(): AbortSignal {
    return (never ??= new AbortController().signal);
  }
  /** @internal */
  [kCancelCtx](): null {
    return null;
  }
  override toString(): string {
    return this.#parent !== null ? `${String(this.#parent)}.${this.#name}` : this.#name;
  }
}

const backgroundCtx = new NeverCtx(null, 'context.Background');
const todoCtx = new NeverCtx(null, 'context.TODO');

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
