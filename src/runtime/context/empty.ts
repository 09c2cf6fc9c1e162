/**
 * The roots of every context tree: `background()` and `todo()` (Go's `emptyCtx`) — never
 * cancelled, no values, no deadline, a null `done()`.
 *
 * Invariant: both are singletons whose `signal` is one shared signal that never aborts.
 *
 * @module
 */

import { kCancelCtx } from '../_symbols.js';
import { BaseCtx } from './cancel.js';
import type { Context } from './types.js';

let never: AbortSignal | null = null;

/** @internal The shared signal of contexts that can never be cancelled. */
export function neverSignal(): AbortSignal {
  return (never ??= new AbortController().signal);
}

class EmptyCtx extends BaseCtx {
  readonly #name: string;
  constructor(name: string) {
    super();
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
  value<T>(_key: unknown): T | undefined {
    return undefined;
  }
  override get signal(): AbortSignal {
    return neverSignal();
  }
  /** @internal */
  [kCancelCtx](): null {
    return null;
  }
  override toString(): string {
    return this.#name;
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
