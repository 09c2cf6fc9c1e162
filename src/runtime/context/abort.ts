/**
 * The AbortSignal → context direction of the bridge: `fromSignal` makes a context cancelled when
 * a signal aborts, with the signal's reason as its cause. (The other direction, a context's
 * `signal`, is every context's own property: cancel.ts.)
 *
 * Invariant: the listener on the signal is removed when the context is cancelled, by whatever
 * cancels it (the signal, its cancel function, its parent).
 *
 * @module
 */

import { kCancel, kErr, kUnlisten } from '../_symbols.js';
import { asError, newCancelCtx } from './cancel.js';
import { Canceled, type CancelFunc, type Context, type DisposableContext } from './types.js';

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
  const c = newCancelCtx(parent, 'FromSignal');
  if (c[kErr] === null) {
    if (signal.aborted) {
      c[kCancel](true, Canceled, asError(signal.reason));
    } else {
      const onAbort = (): void => c[kCancel](true, Canceled, asError(signal.reason));
      signal.addEventListener('abort', onAbort, { once: true });
      const unlistenParent = c[kUnlisten]; // set when the parent is a foreign context
      c[kUnlisten] = () => {
        signal.removeEventListener('abort', onAbort);
        if (unlistenParent !== null) unlistenParent();
      };
    }
  }
  return [c, () => c[kCancel](true, Canceled, null)];
}
