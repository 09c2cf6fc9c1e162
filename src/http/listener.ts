/**
 * What the HTTP server needs from a listener. strand/net's `Listener` satisfies it:
 * `acceptSocket()` hands over the raw node:net socket of each accepted connection (node:http
 * takes it from there), and `close()` makes a pending and every later `acceptSocket()` fail
 * with net's closed error.
 *
 * @module
 */

import type { Socket } from 'node:net';

/** The listener interface `serve` accepts (strand/net's `Listener`). */
export interface SocketListener {
  /** Resolves to the next accepted connection's raw socket; rejects once the listener is closed. */
  acceptSocket(): Promise<Socket>;
  /** Stops listening. */
  close(): unknown;
  /** The listening address. */
  readonly addr: unknown;
}
