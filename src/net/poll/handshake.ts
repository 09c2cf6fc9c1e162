/**
 * The TLS handshake as the netpoller sees it (Go's lazy `tls.Conn.Handshake`): a TLS socket
 * (node:tls, a `net.Socket` subclass whose 'data' is already decrypted) is polled like any other;
 * until its handshake completes it carries the `HANDSHAKING` bit, and a goroutine that needs the
 * handshake parks as the socket's reader with the kind `IOKind.Handshake` and an empty buffer.
 * Being the reader is what makes the wait behave: close, a socket error (a refused certificate),
 * end of stream and the read deadline end it exactly as they end a read (side.ts, events.ts),
 * and a real read that comes meanwhile queues behind it.
 *
 * Node emits 'secure' on the server side and 'secureConnect' on the client side once the peer's
 * certificate is verified; a verification failure is an 'error' (and the socket is destroyed).
 *
 * Invariant: `HANDSHAKING` is cleared once, by {@link onSecure}, before the parked waiter (if
 * any) is readied with 0; a waiter that sees end of stream first is readied with null.
 *
 * @module
 */

import { WaitQueue, pollImmediate } from '../../runtime/netpoll.js';
import { ErrClosed, ErrDeadlineExceeded } from './errors.js';
import { IOKind, IOWait, parkIO } from './iowait.js';
import { parkReader, readyReader } from './read.js';
import { CLOSED, EOF, GONE, HANDSHAKING, RDL, RPARKED, extra, wrap, type FDState, type PolledSocket } from './state.js';
import { kErr, kFD, kReader, kState } from './_symbols.js';

/** The buffer of a handshake wait: empty, so data that arrives is kept, never copied. */
const EMPTY = new Uint8Array(0);

/** @internal Marks `fd` (a TLS socket just attached) as handshaking until its secure event. */
export function watchHandshake(fd: FDState, client: boolean): void {
  fd[kState] |= HANDSHAKING;
  fd.socket.once(client ? 'secureConnect' : 'secure', onSecure);
}

function onSecure(this: PolledSocket): void {
  const fd = this[kFD];
  if (fd === undefined) return;
  fd[kState] &= ~HANDSHAKING;
  if ((fd[kState] & RPARKED) !== 0 && fd[kReader]!.kind === IOKind.Handshake) readyReader(fd, 0);
}

/**
 * @internal Waits for the handshake of `fd`.
 *
 * @returns 0 once it completed (at once if it already had), or null if the stream ended first.
 * @throws the owner's wrapping (op "read") of ErrClosed, ErrDeadlineExceeded (the read
 *   deadline bounds the handshake) or the socket's error (a refused certificate...).
 */
export function handshake(fd: FDState): number | null | Promise<number | null> {
  const st = fd[kState];
  if ((st & HANDSHAKING) === 0) return pollImmediate(0);
  if ((st & CLOSED) !== 0) throw wrap(fd, 'read', ErrClosed);
  if ((st & RDL) !== 0) throw wrap(fd, 'read', ErrDeadlineExceeded);
  const err = fd[kErr];
  if (err !== null) throw wrap(fd, 'read', err);
  if ((st & (EOF | GONE)) !== 0) return null;
  if ((st & RPARKED) !== 0) {
    // A read (or another handshake) is parked: wait behind it, as a queued reader.
    const io = new IOWait(IOKind.Handshake, EMPTY, 0);
    const h = extra(fd).r;
    (h.q ??= new WaitQueue()).push(io.w);
    return parkIO(io);
  }
  let io = fd[kReader];
  if (io === null) io = fd[kReader] = new IOWait(IOKind.Handshake, EMPTY, 0);
  else {
    io.kind = IOKind.Handshake;
    io.buf = EMPTY;
  }
  parkReader(fd);
  return parkIO(io);
}

/** @internal Whether `fd` is a TLS socket whose handshake has not completed. */
export function handshaking(fd: FDState): boolean {
  return (fd[kState] & HANDSHAKING) !== 0;
}
