/**
 * The `Addr` interface (Go's `net.Addr`), alone in its file: `errors.ts` (an `OpError` names its
 * addresses) and `addr.ts` (whose parsers throw `AddrError`) both need it, and neither may import
 * the other.
 *
 * @module
 */

/** A network endpoint address (Go's `net.Addr`). */
export interface Addr {
  /** The name of the network: "tcp", "unix". */
  network(): string;
  /** The address in Go's string form: `127.0.0.1:8080`, `[::1]:9000`, `/tmp/app.sock`. */
  toString(): string;
}
