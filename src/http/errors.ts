/**
 * Errors raised by the HTTP layer. Each has a stable `code` (`STRAND_ERR_*`) and a message that
 * starts with `http:`, as Go's net/http errors do.
 *
 * @module
 */

import { StrandError } from '../runtime/errors.js';

/** Error codes of the HTTP layer. */
export const httpCodes = {
  /** The server was shut down or closed (Go's `http.ErrServerClosed`). */
  SERVER_CLOSED: 'STRAND_ERR_SERVER_CLOSED',
  /** The client went away before the response was finished. */
  CLIENT_GONE: 'STRAND_ERR_CLIENT_GONE',
  /** A request body exceeded the server's `maxBodyBytes` (Go's `http.MaxBytesError`). */
  BODY_TOO_LARGE: 'STRAND_ERR_BODY_TOO_LARGE',
  /** A request or response body could not be read (aborted, malformed JSON...). */
  BODY: 'STRAND_ERR_BODY',
  /** An invalid ServeMux pattern. */
  PATTERN: 'STRAND_ERR_PATTERN',
  /** Two ServeMux patterns conflict (Go panics on such a registration). */
  PATTERN_CONFLICT: 'STRAND_ERR_PATTERN_CONFLICT',
  /** A write on a response that has already ended (its handler returned). */
  WRITE_AFTER_END: 'STRAND_ERR_WRITE_AFTER_END',
  /** A client request failed (connection refused, reset, aborted...). */
  CLIENT: 'STRAND_ERR_HTTP_CLIENT',
} as const;

/** Base class of every HTTP-layer error. */
export class HttpError extends StrandError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'HttpError';
  }
}

/**
 * Raised by a request body reader when the body is longer than the server's `maxBodyBytes`.
 * A handler that lets it escape gets a `413 Payload Too Large` response (Go's `MaxBytesError`).
 */
export class MaxBytesError extends HttpError {
  /** The limit that was exceeded, in bytes. */
  readonly limit: number;

  constructor(limit: number) {
    super(httpCodes.BODY_TOO_LARGE, `http: request body too large (limit ${limit} bytes)`);
    this.name = 'MaxBytesError';
    this.limit = limit;
  }
}

/**
 * Returned (resolved) by `serve` after `shutdown`/`close`, and the cause of every request context
 * cancelled because the server is shutting down (Go's `http.ErrServerClosed`).
 */
export const ErrServerClosed: HttpError = new HttpError(httpCodes.SERVER_CLOSED, 'http: Server closed');

/** The cause of a request context cancelled because the client disconnected. */
export const ErrClientGone: HttpError = new HttpError(httpCodes.CLIENT_GONE, 'http: client disconnected');

/** @internal A body error with the package prefix. */
export function errBody(message: string, cause?: unknown): HttpError {
  return new HttpError(httpCodes.BODY, `http: ${message}`, cause === undefined ? undefined : { cause });
}
