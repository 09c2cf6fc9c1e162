/**
 * Errors raised by the runtime. Every error has a stable `code` (`STRAND_ERR_*`) so callers can
 * branch on it without parsing messages, and a message that starts with the package, as Go's do.
 *
 * @module
 */

/** Base class of every error strand raises itself. `code` is stable across releases. */
export class StrandError extends Error {
  /** Stable machine-readable code, e.g. `STRAND_ERR_CLOSED_CHANNEL`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = 'StrandError';
  }
}

/** Error codes of the runtime layer. */
export const codes = {
  /** A send on a closed channel (Go: `panic: send on closed channel`). */
  CLOSED_CHANNEL: 'STRAND_ERR_CLOSED_CHANNEL',
  /** `close()` of a channel that is already closed. */
  CLOSE_CLOSED: 'STRAND_ERR_CLOSE_CLOSED',
  /** `close()` of a nil (null) channel. */
  CLOSE_NIL: 'STRAND_ERR_CLOSE_NIL',
  /** Misuse of a sync primitive: unlock of an unlocked mutex, negative WaitGroup counter... */
  SYNC: 'STRAND_ERR_SYNC',
  /** A context was canceled. */
  CANCELED: 'STRAND_ERR_CANCELED',
  /** A context's deadline passed. */
  DEADLINE_EXCEEDED: 'STRAND_ERR_DEADLINE_EXCEEDED',
  /** An argument outside what the function accepts. */
  INVALID_ARG: 'STRAND_ERR_INVALID_ARG',
} as const;

/** @internal `chan: send on closed channel`: raised by a send (or a chosen send case) on a closed channel. */
export function errSendOnClosed(): StrandError {
  return new StrandError(codes.CLOSED_CHANNEL, 'chan: send on closed channel');
}

/** @internal `chan: close of closed channel`. */
export function errCloseClosed(): StrandError {
  return new StrandError(codes.CLOSE_CLOSED, 'chan: close of closed channel');
}

/** @internal `chan: close of nil channel`. */
export function errCloseNil(): StrandError {
  return new StrandError(codes.CLOSE_NIL, 'chan: close of nil channel');
}

/** @internal Misuse of a sync primitive (Go's fatal "sync: ..." errors): code `STRAND_ERR_SYNC`. */
export function errSync(message: string): StrandError {
  return new StrandError(codes.SYNC, message);
}

/** @internal A TypeError-like argument error with the package prefix. */
export function errInvalidArg(message: string): StrandError {
  return new StrandError(codes.INVALID_ARG, message);
}
