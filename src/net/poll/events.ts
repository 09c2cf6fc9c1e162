/**
 * Socket events: the Node events of a polled socket ('data', 'end', 'drain', 'error', 'close')
 * turned into readying the goroutines parked on it. The listeners are module-level functions that
 * find their PollFD through a symbol on the socket (`kFD`): no closure per socket.
 *
 * Invariant: a listener first settles the descriptor's state (bits, kept data, sticky error),
 * then readies; an event for a closed descriptor readies nothing.
 *
 * @module
 */

import type { Socket } from 'node:net';
import { readyReader } from './read.js';
import { Side, failSide } from './side.js';
import { clearTimers } from './deadline.js';
import { drained } from './write.js';
import { CLOSED, EOF, GONE, RPARKED, WSHUT, epipe, extra, pause, type PolledSocket } from './state.js';
import { kChunk, kErr, kFD, kOff, kOwner, kReader, kState, kBeforeGone } from './_symbols.js';

/** @internal Starts listening to a connected socket's events (attach). */
export function listenTo(s: PolledSocket): void {
  s.on('data', onData);
  s.on('end', onEnd);
  s.on('drain', onDrain);
  s.on('close', onClose);
}

function onData(this: PolledSocket, chunk: Buffer): void {
  const fd = this[kFD]!;
  const st = fd[kState];
  if ((st & RPARKED) !== 0) {
    const io = fd[kReader]!;
    if (io.sp !== null) {
      io.sp.data(chunk);
      return;
    }
    const buf = io.buf;
    if (buf === null) {
      readyReader(fd, chunk);
      return;
    }
    const n = chunk.length <= buf.length ? chunk.length : buf.length;
    buf.set(n === chunk.length ? chunk : chunk.subarray(0, n));
    if (n < chunk.length) {
      fd[kChunk] = chunk;
      fd[kOff] = n;
      pause(fd);
    }
    readyReader(fd, n);
    return;
  }
  if ((st & CLOSED) !== 0) return;
  if (fd[kChunk] === null) {
    fd[kChunk] = chunk;
    fd[kOff] = 0;
  } else {
    extra(fd).more.push(chunk);
  }
  pause(fd);
}

function onEnd(this: PolledSocket): void {
  const fd = this[kFD]!;
  fd[kState] |= EOF;
  const owner = fd[kOwner];
  if ((fd[kState] & WSHUT) !== 0 && owner !== null) owner[kBeforeGone]();
  if ((fd[kState] & RPARKED) !== 0) {
    const io = fd[kReader]!;
    if (io.sp !== null) io.sp.step();
    else readyReader(fd, null);
  }
}

function onDrain(this: PolledSocket): void {
  drained(this[kFD]!);
}

/**
 * The 'error' listener of every socket the poller owns, attached as soon as the socket exists
 * (before it is wrapped), so that no socket error is ever unhandled. It records the error and
 * fails the parked reader and writer.
 */
export function onSocketError(this: Socket, err: Error): void {
  const fd = (this as PolledSocket)[kFD];
  if (fd === undefined || (fd[kState] & CLOSED) !== 0) return;
  if (fd[kErr] === null) fd[kErr] = err;
  failSide(fd, Side.Read, err);
  failSide(fd, Side.Write, err);
}

function onClose(this: PolledSocket): void {
  const fd = this[kFD]!;
  fd[kState] |= GONE;
  clearTimers(fd);
  if ((fd[kState] & CLOSED) !== 0) return;
  const err = fd[kErr] ?? (this.errored as Error | null);
  if (err !== null) failSide(fd, Side.Read, err);
  else if ((fd[kState] & RPARKED) !== 0) {
    const io = fd[kReader]!;
    if (io.sp !== null) io.sp.step(); // the source is gone: end of stream
    else readyReader(fd, null); // serves the queued readers too
  }
  failSide(fd, Side.Write, err ?? epipe());
}

/** @internal Ends a closed socket's linger (flushed, or the peer did not read in time). */
export function onLingerDone(this: PolledSocket): void {
  this.destroy();
}
