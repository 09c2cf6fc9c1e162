/**
 * @internal The context names the HTTP layer uses, from the runtime's context package.
 */
export { type Context, background, withCancelCause, cause, Canceled } from '../runtime/context.js';
