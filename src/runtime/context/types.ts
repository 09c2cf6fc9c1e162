/**
 * The Context interface (Go's `context.Context`), the contexts a creator can cancel by disposing
 * them, the cancel function types, and the two errors a context ends with.
 *
 * Invariant: `err()` is null until the context is done, then {@link Canceled} or
 * {@link DeadlineExceeded} forever; `done()` is closed exactly when `err()` becomes non-null.
 *
 * @module
 */

import type { Chan } from '../chan.js';
import { StrandError, codes } from '../errors.js';

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
