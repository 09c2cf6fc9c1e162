/**
 * Dialing: turns a connecting socket's 'connect' and 'error' events, a timeout and an
 * AbortSignal into park/ready of the dialing goroutine.
 *
 * The socket carries the poller's 'error' listener from the moment it exists, so an error after
 * the dial completed (before or after the caller wraps the socket) is never unhandled. The dial
 * state is one object that is the abort listener (`handleEvent`) and holds the plain runtime
 * waiter the goroutine parks on (through `src/runtime/netpoll.ts`): no closure is allocated.
 *
 * Invariant: the first of 'connect', 'error', the timeout and the abort to happen unhooks all
 * the others (`finish`) before the goroutine is readied; later ones find nothing to do.
 *
 * @module
 */

import { connect as netConnect, type NetConnectOpts, type Socket } from 'node:net';
import { codes } from '../../runtime/errors.js';
import { pollReady, pollReadyError, pollWait, pollWaiter, type Waiter } from '../../runtime/netpoll.js';
import { ErrDeadlineExceeded, errCanceled, netCodes } from './errors.js';
import { onSocketError } from './events.js';
import { kOpError, kNewConn } from './_symbols.js';

const kDial: unique symbol = Symbol('strand.dial');
type DialingSocket = Socket & { [kDial]?: DialState };

/** What the dialer's owner (net's dial) provides. Its members are internal (stripped from the published types). */
export interface DialOwner {
  /** @internal Wraps the connected socket (into net's `Conn`). */
  [kNewConn](socket: Socket): unknown;
  /** @internal Wraps a dial error (into net's `OpError`). */
  [kOpError](op: string, cause: Error): Error;
}

/** The largest delay Node's timers accept. */
const MAX_TIMER_MS = 0x7fffffff;

/** One dial in progress: the parked goroutine, its socket, timer and signal. */
class DialState {
  /** The runtime waiter the dialing goroutine parks on. */
  readonly w: Waiter = pollWaiter();
  readonly owner: DialOwner;
  socket: DialingSocket | null = null;
  timer: NodeJS.Timeout | null = null;
  signal: AbortSignal | null = null;

  constructor(owner: DialOwner) {
    this.owner = owner;
  }

  /** The signal's 'abort' listener. */
  handleEvent(): void {
    this.fail(abortError(this.signal!.reason));
  }

  /** Ends the dial with an error: the socket is destroyed. */
  fail(err: Error): void {
    const s = this.socket;
    this.finish();
    if (s !== null) s.destroy();
    pollReadyError(this.w, this.owner[kOpError]('dial', err));
  }

  /** Unhooks the timer, the signal and the connect listeners. */
  finish(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.signal !== null) this.signal.removeEventListener('abort', this);
    this.signal = null;
    const s = this.socket;
    if (s !== null) {
      s.removeListener('connect', onConnect);
      s.removeListener('error', onDialError);
      s[kDial] = undefined;
    }
    this.socket = null;
  }
}

/**
 * The error a dial fails with when its signal aborts: an i/o timeout if the reason is a
 * deadline (a context's DeadlineExceeded or a TimeoutError), otherwise "operation was canceled".
 */
function abortError(reason: unknown): Error {
  const r = reason as { code?: unknown; name?: unknown } | null | undefined;
  if (r != null && (r.code === codes.DEADLINE_EXCEEDED || r.code === netCodes.TIMEOUT || r.name === 'TimeoutError')) {
    return ErrDeadlineExceeded;
  }
  return errCanceled(reason);
}

/**
 * Connects a socket, parking the goroutine ("IO wait") until it is connected.
 *
 * @param options node:net connect options (`allowHalfOpen` is forced on).
 * @param timeoutMs give up after this long (0 = no limit).
 * @param signal give up when it aborts (null = never).
 * @param owner wraps the socket and the errors.
 * @returns the owner's wrapping of the connected socket (which carries the poller's 'error'
 *   listener).
 * @throws the owner's wrapping (op "dial") of the Node error (ECONNREFUSED...),
 *   ErrDeadlineExceeded, or a canceled error (code STRAND_ERR_CANCELED).
 */
export function connect(options: NetConnectOpts, timeoutMs: number, signal: AbortSignal | null, owner: DialOwner): Promise<unknown> {
  const d = new DialState(owner);
  const p = pollWait<unknown>(d.w, 'IO wait');
  if (signal !== null && signal.aborted) {
    pollReadyError(d.w, owner[kOpError]('dial', abortError(signal.reason)));
    return p;
  }
  let s: DialingSocket;
  try {
    s = netConnect({ ...options, allowHalfOpen: true }) as DialingSocket;
  } catch (err) {
    pollReadyError(d.w, owner[kOpError]('dial', err as Error));
    return p;
  }
  d.socket = s;
  s[kDial] = d;
  s.on('error', onSocketError);
  s.on('error', onDialError);
  s.on('connect', onConnect);
  if (timeoutMs > 0) {
    d.timer = setTimeout(onDialTimeout, Math.min(timeoutMs, MAX_TIMER_MS), d);
  }
  if (signal !== null) {
    d.signal = signal;
    signal.addEventListener('abort', d);
  }
  return p;
}

function onConnect(this: DialingSocket): void {
  const d = this[kDial];
  if (d === undefined) return;
  d.finish();
  pollReady(d.w, d.owner[kNewConn](this));
}

function onDialError(this: DialingSocket, err: Error): void {
  const d = this[kDial];
  if (d === undefined) return;
  d.finish();
  pollReadyError(d.w, d.owner[kOpError]('dial', err));
}

function onDialTimeout(d: DialState): void {
  d.timer = null;
  d.fail(ErrDeadlineExceeded);
}
