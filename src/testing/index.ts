/**
 * strand/testing: Go's testing tools for strand programs, usable from node:test, tap and vitest.
 *
 * - `synctest` (Go 1.25's `testing/synctest`): run concurrent code in a bubble with a virtual
 *   clock; `synctest.test(fn)`, `synctest.wait()`.
 *
 * Layering: the top layer, beside procs. It reaches the layers below only through their entry
 * points; the runtime hooks it needs (bubbles, debug mode) are exported there `@internal`.
 *
 * @module
 */
/** Go's `testing/synctest`: `synctest.test(fn)` and `synctest.wait()`. */
export * as synctest from './synctest.js';
export { BubbleDeadlockError, LeakError, ErrClosedPipe, testingCodes } from './errors.js';
