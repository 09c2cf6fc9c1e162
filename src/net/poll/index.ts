/**
 * The netpoller: the only code that touches node:net socket events for readiness, flow control
 * and deadlines. It turns them into park/ready of goroutines (wait reason "IO wait").
 *
 * - {@link PollFD}: a connected socket (reads, writes, deadlines, close).
 * - {@link AcceptQueue}: a listening server (accept, deadline, EMFILE back-off).
 * - {@link connect}: dialing (timeout, AbortSignal).
 * - At-once paths go through the runtime's `immediate()` (its fairness budget).
 *
 * @module
 */
export { PollFD, kFD, onSocketError, type PollOwner } from './fd.js';
export { AcceptQueue, type AcceptOwner } from './accept.js';
export { connect, type DialOwner } from './connect.js';
export { failNow } from './now.js';
export { ErrClosed, ErrDeadlineExceeded, errCanceled, netCodes } from './errors.js';
