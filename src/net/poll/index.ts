/**
 * The netpoller: the only code that touches node:net socket events for readiness, flow control
 * and deadlines. It turns them into park/ready of goroutines (wait reason "IO wait") through the
 * runtime's narrow netpoll entry (`src/runtime/netpoll.ts`: plain waiters, the one wait queue,
 * the at-once path); it never subclasses or reads a runtime Waiter.
 *
 * - {@link PollFD}: a connected socket (reads, writes, splice, deadlines, close); its concepts
 *   are split over state.ts, read.ts, write.ts, splice.ts, side.ts, deadline.ts and events.ts.
 * - {@link AcceptQueue}: a listening server (accept, deadline, EMFILE back-off).
 * - {@link connect}: dialing (timeout, AbortSignal).
 * - {@link PacketQueue}: a datagram (UDP) socket: reads park, a bounded queue, drops counted.
 * - A TLS socket is a PollFD too; handshake.ts adds the lazy handshake wait.
 * - At-once paths go through the runtime's `pollImmediate()` (its fairness budget).
 *
 * What `src/net` may use is exported here; `_symbols.ts` names the members the poller's files
 * share with each other.
 *
 * @module
 */
export { PollFD, kFD, onSocketError, type PollOwner } from './fd.js';
export { AcceptQueue, type AcceptOwner } from './accept.js';
export { connect, type DialOwner } from './connect.js';
export { PacketQueue, DEFAULT_MAX_PACKETS, DEFAULT_MAX_BYTES, type PacketOwner } from './packet.js';
export { failNow } from './now.js';
export { ErrClosed, ErrDeadlineExceeded, errCanceled, netCodes } from './errors.js';
