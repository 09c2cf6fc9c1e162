/**
 * Dialing: turns a connecting socket's 'connect' and 'error' events, a timeout and an
 * AbortSignal into park/ready of the dialing goroutine.
 *
 * The socket carries the poller's 'error' listener from the moment it exists, so an error after
 * the dial completed (before or after the caller wraps the socket) is never unhandled. The dial
 * state is one object that is at once the abort listener (`handleEvent`) and the waiter: no
 * closure is allocated.
 *
 * @module
 */

import { connect as netConnect, type NetConnectOpts, type Socket } from 'node:net';
import { Waiter, park, ready, readyError } from '../../runtime/goroutine.js';
import { ErrDeadlineExceeded, errCanceled, netCodes } from './errors.js';
import { onSocketError } from './fd.js';

const kDial: unique symbol = Symbol('strand.dial');
type DialingSocket = Socket & { [kDial]?: DialState };

/** What the dialer's owner (net's dial) provides. */
export interface DialOwner {
  /** Wraps the connected socket (into net's `Conn`). */
  _newConn(socket: Socket): unknown;
  /** Wraps a dial error (into net's `OpError`). */
  _opError(op: string, cause: Error): Error;
}

/** One dial in progress: the parked goroutine, its socket, timer and signal. */
class DialState extends Waiter {
  owner: DialOwner;
  socket: DialingSocket | null = null;
  timer: NodeJS.Timeout | null = null;
  signal: AbortSignal | null = null;

  constructor(owner: DialOwner) {
    super();
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
    readyError(this, this.owner._opError('dial', err));
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
  if (r != null && (r.code === 'STRAND_ERR_DEADLINE_EXCEEDED' || r.code === netCodes.TIMEOUT || r.name === 'TimeoutError')) {
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
  const p = park<unknown>(d, 'IO wait');
  if (signal !== null && signal.aborted) {
    readyError(d, owner._opError('dial', abortError(signal.reason)));
    return p;
  }
  let s: DialingSocket;
  try {
    s = netConnect({ ...options, allowHalfOpen: true }) as DialingSocket;
  } catch (err) {
    readyError(d, owner._opError('dial', err as Error));
    return p;
  }
  d.socket = s;
  s[kDial] = d;
  s.on('error', onSocketError);
  s.on('error', onDialError);
  s.on('connect', onConnect);
  if (timeoutMs > 0) {
    d.timer = setTimeout(onDialTimeout, Math.min(timeoutMs, 0x7fffffff), d);
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
  ready(d, d.owner._newConn(this));
}

function onDialError(this: DialingSocket, err: Error): void {
  const d = this[kDial];
  if (d === undefined) return;
  d.finish();
  readyError(d, d.owner._opError('dial', err));
}

function onDialTimeout(d: DialState): void {
  d.timer = null;
  d.fail(ErrDeadlineExceeded);
}
