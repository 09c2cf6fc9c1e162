/**
 * @internal Temporary bridge to the runtime's context package (src/runtime/context.ts), which is
 * being written in parallel. Only the names the HTTP layer uses live here; once the runtime's
 * context lands this file re-exports it.
 */

import { chan, type Chan } from '../runtime/chan.js';
import { StrandError, codes } from '../runtime/errors.js';

/** Go's context.Context. */
export interface Context {
  done(): Chan<void> | null;
  err(): Error | null;
  deadline(): number | undefined;
  value<T>(key: unknown): T | undefined;
  readonly signal: AbortSignal;
}

/** `context canceled`. */
export const Canceled = new StrandError(codes.CANCELED, 'context canceled');

class CancelCtx implements Context {
  _parent: CancelCtx | null;
  _done: Chan<void> | null = null;
  _err: Error | null = null;
  _cause: Error | null = null;
  _ac: AbortController | null = null;
  _children: Set<CancelCtx> | null = null;

  constructor(parent: CancelCtx | null) {
    this._parent = parent;
  }
  done(): Chan<void> {
    if (this._done === null) {
      this._done = chan<void>();
      if (this._err !== null) this._done.close();
    }
    return this._done;
  }
  err(): Error | null {
    return this._err;
  }
  deadline(): number | undefined {
    return undefined;
  }
  value<T>(_key: unknown): T | undefined {
    return undefined;
  }
  get signal(): AbortSignal {
    if (this._ac === null) {
      this._ac = new AbortController();
      if (this._err !== null) this._ac.abort(this._cause);
    }
    return this._ac.signal;
  }
  _cancel(cause: Error): void {
    if (this._err !== null) return;
    this._err = Canceled;
    this._cause = cause;
    if (this._done !== null) this._done.close();
    if (this._ac !== null) this._ac.abort(cause);
    if (this._children !== null) for (const c of this._children) c._cancel(cause);
    this._children = null;
    if (this._parent !== null && this._parent._children !== null) this._parent._children.delete(this);
  }
}

const bg = new CancelCtx(null);

/** The root context: never cancelled. */
export function background(): Context {
  return bg;
}

/** A child context cancelled by the returned function (with a cause) or when its parent is. */
export function withCancelCause(parent: Context): [Context, (cause?: Error) => void] {
  const p = parent as CancelCtx;
  const c = new CancelCtx(p);
  if (p._err !== null) c._cancel(p._cause ?? Canceled);
  else if (p !== bg) (p._children ??= new Set()).add(c);
  return [c, (cause?: Error) => c._cancel(cause ?? Canceled)];
}

/** The cause a context was cancelled with. */
export function cause(ctx: Context): Error | null {
  return (ctx as CancelCtx)._cause ?? ctx.err();
}
