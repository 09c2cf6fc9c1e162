/**
 * Context (Go's package context): cancellation, deadlines, causes and request-scoped values that
 * flow down a tree of contexts, with a two-way bridge to `AbortSignal`. This module is the
 * package (the runtime's `context` namespace); each concept has its file in `context/`:
 *
 * - types.ts — the {@link Context} interface, {@link DisposableContext}, the cancel function
 *   types, and the errors {@link Canceled} and {@link DeadlineExceeded};
 * - empty.ts — {@link background} and {@link todo}, the roots;
 * - cancel.ts — the cancellation tree (`cancelCtx`), {@link withCancel}, {@link withCancelCause},
 *   {@link cause}, the keep-alive rule for deadline timers, and `ctx.signal`;
 * - deadline.ts — {@link withDeadline}, {@link withTimeout} and their Cause variants;
 * - value.ts — {@link withValue} and {@link withoutCancel};
 * - abort.ts — {@link fromSignal}, the AbortSignal → context direction;
 * - afterfunc.ts — {@link afterFunc} (here only: the flat `afterFunc` is time's), and how
 *   blocking operations wait for a context without a channel.
 *
 * Every file opens with its invariants. Nothing internal is exported from here.
 *
 * @module
 */

export { Canceled, DeadlineExceeded, type CancelCauseFunc, type CancelFunc, type Context, type DisposableContext } from './context/types.js';
export { background, todo } from './context/empty.js';
export { cause, withCancel, withCancelCause } from './context/cancel.js';
export { withDeadline, withDeadlineCause, withTimeout, withTimeoutCause } from './context/deadline.js';
export { withValue, withoutCancel } from './context/value.js';
export { fromSignal } from './context/abort.js';
export { afterFunc } from './context/afterfunc.js';
