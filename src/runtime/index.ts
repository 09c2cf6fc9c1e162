/**
 * strand's runtime: goroutines, channels, select, time, sync, context.
 *
 * @module
 */
export { go, main, attribution, type Attribution, gosched, numGoroutine, setDebug, park, ready, readyError, immediate, awaitable, Waiter, GState, type G } from './goroutine.js';
export { send, recv, recvOk, close, len, cap } from './builtins.js';
export {
  Chan,
  chan,
  CLOSED,
  WOULD_BLOCK,
  type Closed,
  type WouldBlock,
  type MaybePromise,
  type RecvChan,
  type SendChan,
} from './chan.js';
export { select, trySelect, recvCase, sendCase, type RecvCase, type SendCase, type Case } from './select.js';
export { goroutines, formatDump, printDump, handleSigquit, attributionNote, leakedGoroutines, type GoroutineInfo, type LeakOptions } from './dump.js';
export { metrics, type RuntimeMetrics } from './metrics.js';
/**
 * Go's os/signal: `signal.notify(ch, 'SIGINT', 'SIGTERM')`, `signal.stop(ch)`, `signal.reset()`,
 * `signal.notifyContext(ctx, ...signals)`.
 */
export * as signal from './signal.js';
export { StrandError, codes } from './errors.js';
export { Millisecond, Second, Minute, Hour, now, sleep, after, tick, newTimer, newTicker, afterFunc, Timer, Ticker, FuncTimer } from './time.js';
export { Mutex, type Locker } from './sync/mutex.js';
export { RWMutex } from './sync/rwmutex.js';
export { WaitGroup } from './sync/waitgroup.js';
export { Once } from './sync/once.js';
export { Cond } from './sync/cond.js';
export { Semaphore } from './sync/semaphore.js';
export { Group, groupWithContext } from './errgroup.js';
export {
  background,
  todo,
  withCancel,
  withCancelCause,
  withTimeout,
  withTimeoutCause,
  withDeadline,
  withDeadlineCause,
  withoutCancel,
  withValue,
  fromSignal,
  cause,
  Canceled,
  DeadlineExceeded,
  type Context,
  type DisposableContext,
  type CancelFunc,
  type CancelCauseFunc,
} from './context.js';
/**
 * The context package as a namespace, for Go-style calls: `context.withCancel(context.background())`.
 * It also holds `context.afterFunc` (Go's `context.AfterFunc`), which has no flat export because
 * the flat `afterFunc` is time's.
 */
export * as context from './context.js';
/**
 * @internal The hooks strand/testing builds on (synctest bubbles, the leak check's debug mode):
 * not part of the public API.
 */
export { runBubble, bubbleWait, bubbleOf, type Bubble, type BubbleDeadlock } from './bubble.js';
/** @internal See {@link runBubble}. */
export { isDebug } from './goroutine.js';
