/**
 * Handler types (Go's `http.Handler` and `http.HandlerFunc`).
 *
 * @module
 */

import { errInvalidHandler } from './errors.js';
import type { ResponseWriter } from './response.js';
import type { Request } from './request.js';

/**
 * A function that answers one request. It runs in its own goroutine; the response ends when it
 * returns (or its promise settles). Throwing is recovered per request: a 500 if nothing was
 * written yet, otherwise the connection is closed; the error is logged; the server keeps serving.
 */
export type HandlerFunc = (w: ResponseWriter, r: Request) => Promise<void> | void;

/** An object that answers requests (Go's `http.Handler` interface), e.g. a {@link ServeMux}. */
export interface Handler {
  serveHTTP(w: ResponseWriter, r: Request): Promise<void> | void;
}

/** Either form of handler. */
export type HandlerLike = HandlerFunc | Handler;

/**
 * @internal Normalizes a handler to a function (bound once, not per request).
 *
 * @throws TypeError (code `STRAND_ERR_INVALID_ARG`) for anything else.
 */
export function toHandlerFunc(h: HandlerLike): HandlerFunc {
  if (typeof h === 'function') return h;
  if (h !== null && typeof h === 'object' && typeof h.serveHTTP === 'function') return h.serveHTTP.bind(h);
  throw errInvalidHandler();
}
