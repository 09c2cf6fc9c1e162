/**
 * strand/testing: Go's testing tools for strand programs, usable from node:test, tap and vitest.
 *
 * - `synctest` (Go 1.25's `testing/synctest`): run concurrent code in a bubble with a virtual
 *   clock — `synctest.test(fn)`, `synctest.wait()`. Which operations are durably blocking, and
 *   how the bubble knows nothing can run, are in synctest.ts's documentation.
 * - `httptest` (Go's `net/http/httptest`): `newServer`, `newRecorder`, `newRequest`.
 * - `pipe()` (Go's `net.Pipe`): two connected in-memory connection ends, synchronous and
 *   unbuffered, with deadlines and close; they work with strand/net's `copy` and `bufio`.
 * - `leakCheck()` / `verifyNone()` (uber-go/goleak): fail a test that leaves goroutines alive,
 *   listing them with wait reasons and creation sites.
 *
 * Layering: the top layer, beside procs. It reaches the layers below only through their entry
 * points; the runtime hooks it needs (bubbles, debug mode) are exported there `@internal`.
 *
 * @module
 */
/** Go's `testing/synctest`: `synctest.test(fn)` and `synctest.wait()`. */
export * as synctest from './synctest.js';
/** Go's `net/http/httptest`: `newServer`, `newRecorder`, `newRequest`. */
export * as httptest from './httptest.js';
export { ResponseRecorder, RecordingResponse, TestServer } from './httptest.js';
export { pipe, PipeConn } from './pipe.js';
export { leakCheck, verifyNone, type LeakOptions } from './leak.js';
export { BubbleDeadlockError, LeakError, ErrClosedPipe, testingCodes } from './errors.js';
