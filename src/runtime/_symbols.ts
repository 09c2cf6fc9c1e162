/**
 * The runtime's internal property keys (undici's `core/symbols.js` is the model): the one place
 * where a member that another file of `src/runtime` must reach is named. A member used by one
 * class only is `#private` instead; nothing here is re-exported by `src/runtime/index.ts`.
 *
 * Symbol-keyed properties are ordinary named properties for V8 (a symbol is a Name): they get the
 * same hidden-class slots and inline caches as string keys, and so do `#private` fields (measured:
 * a ring buffer's push/shift costs the same with string, symbol or `#private` fields). One cost
 * is real: optimized code loads an *imported* binding through its module cell at every use, so a
 * hot path that uses a symbol several times per operation keeps a module-local copy
 * (`const READY: typeof kReady = kReady`; measured on select: +7% instructions without it).
 *
 * @module
 */

// ---- Chan (chan.ts): methods on the prototype (a channel has no own property but its
// `#private` fields), used by select.ts, sudog.ts, time.ts, signal.ts and context/ -----------

/** @internal Method: whether a send (true) or a receive (false) can proceed now. */
export const kReady: unique symbol = Symbol('strand.chan.ready');
/** @internal Method: runs a ready receive case, leaving `v, ok` in the case. */
export const kRecvInto: unique symbol = Symbol('strand.chan.recvInto');
/** @internal Method: queues a select case on the receive or send queue. */
export const kEnqueue: unique symbol = Symbol('strand.chan.enqueue');
/** @internal Method: removes a queued waiter from its queue. */
export const kDequeue: unique symbol = Symbol('strand.chan.dequeue');
/**
 * @internal Method: sets the hook called when the receive queue becomes non-empty (true) or
 * empty (false); timer and context channels keep the process alive only while someone waits.
 */
export const kWatch: unique symbol = Symbol('strand.chan.watch');
/** @internal Method: whether a goroutine waits to receive. */
export const kWaiting: unique symbol = Symbol('strand.chan.waiting');

// ---- contexts (context/): shared between the context files; tests read kChildren, kTimer ----

/** @internal Method of every strand context: the nearest cancelCtx (see context/cancel.ts). */
export const kCancelCtx: unique symbol = Symbol('strand.ctx.cancelCtx');
/** @internal Method of a cancelCtx and of an afterDone entry: cancel with (removeFromParent, err, cause). */
export const kCancel: unique symbol = Symbol('strand.ctx.cancel');
/** @internal A cancelCtx's error (null until cancelled). */
export const kErr: unique symbol = Symbol('strand.ctx.err');
/** @internal A cancelCtx's cause (null until cancelled). */
export const kCause: unique symbol = Symbol('strand.ctx.cause');
/** @internal A cancelCtx's children and afterDone entries (null once cancelled). */
export const kChildren: unique symbol = Symbol('strand.ctx.children');
/** @internal The cancelCtx whose children hold this one (null when the parent is foreign or none). */
export const kParentCc: unique symbol = Symbol('strand.ctx.parentCc');
/** @internal A cancelCtx's function that removes its listener on a foreign parent's or a signal's abort. */
export const kUnlisten: unique symbol = Symbol('strand.ctx.unlisten');
/** @internal Method of a cancelCtx: adds waiters for the keep-alive accounting. */
export const kWait: unique symbol = Symbol('strand.ctx.wait');
/** @internal Whether a cancelCtx counts as a waiter of its parent (its timer is then ref'd). */
export const kContrib: unique symbol = Symbol('strand.ctx.contrib');
/** @internal Method a timerCtx overrides: ref/unref its timer. */
export const kKeepAlive: unique symbol = Symbol('strand.ctx.keepAlive');
/** @internal Method a timerCtx overrides: clear its timer. */
export const kStopTimer: unique symbol = Symbol('strand.ctx.stopTimer');
/** @internal A timerCtx's Node timer (null when none is armed). */
export const kTimer: unique symbol = Symbol('strand.ctx.timer');

// ---- errgroup -----------------------------------------------------------------------------

/** @internal A Group's cancel function (set by groupWithContext). */
export const kGroupCancel: unique symbol = Symbol('strand.errgroup.cancel');
/** @internal Method of a Group: one of its goroutines failed with an error. */
export const kGroupFail: unique symbol = Symbol('strand.errgroup.fail');
/** @internal Method of a Group: one of its goroutines finished. */
export const kGroupDone: unique symbol = Symbol('strand.errgroup.done');
