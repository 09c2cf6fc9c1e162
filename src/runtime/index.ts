/**
 * strand's runtime: goroutines, channels, select, time, sync, context.
 *
 * @module
 */
export { go, gosched, numGoroutine, setDebug, park, ready, readyError, Waiter, GState, type G } from './goroutine.js';
export {
  Chan,
  chan,
  send,
  recv,
  recvOk,
  close,
  len,
  cap,
  CLOSED,
  WOULD_BLOCK,
  type Closed,
  type WouldBlock,
  type MaybePromise,
  type RecvChan,
  type SendChan,
} from './chan.js';
export { select, trySelect, recvCase, sendCase, RecvCase, SendCase, type Case } from './select.js';
export { goroutines, formatDump, printDump, handleSigquit, type GoroutineInfo } from './dump.js';
export { StrandError, codes } from './errors.js';
