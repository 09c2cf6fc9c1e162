/**
 * strand/net's `tls` namespace (Go's `crypto/tls`), on node:tls: {@link listen} and {@link dial}
 * return the same `Listener` and `Conn` types as plain TCP (accepted and dialed connections are
 * {@link TLSConn}s, a `Conn` with `handshake()` and `connectionState()`). The configuration takes
 * Node's tls options and Go's names (config.ts has the mapping).
 *
 * @example
 * ```ts
 * import { tls } from 'strand/net';
 * const ln = await tls.listen('tcp', '127.0.0.1:8443', { certificates: [{ cert, key }] });
 * const conn = await tls.dial('tcp', String(ln.addr), { rootCAs: ca, serverName: 'localhost' });
 * ```
 *
 * @module
 */
export { listen } from './listen.js';
export { dial, type DialConfig } from './dial.js';
export { TLSConn, type ConnectionState } from './conn.js';
export { VersionTLS12, VersionTLS13, type Config, type Certificate, type ClientAuthType, type PEMs } from './config.js';
