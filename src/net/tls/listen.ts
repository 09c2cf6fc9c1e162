/**
 * `tls.listen` (Go's `tls.Listen`): a strand `Listener` whose accepted connections are
 * server-side node:tls sockets. The secure context is built once, when listening; each accepted
 * TCP socket is wrapped at accept (`new TLSSocket(socket, { isServer: true, ... })`) and the
 * handshake runs lazily (see conn.ts). `acceptSocket()` hands out the TLSSocket itself (what
 * strand/http gives node:http).
 *
 * @module
 */

import type { Socket } from 'node:net';
import { TLSSocket, createSecureContext, type SecureContext } from 'node:tls';
import { failNow } from '../poll/now.js';
import { onSocketError } from '../poll/events.js';
import { listenWith, type Listener, type SocketWrapper } from '../listen.js';
import { OpError, errTLSConfig } from '../errors.js';
import type { Addr } from '../netaddr.js';
import { kNewTLS } from '../_symbols.js';
import { alpn, clientAuth, contextOptions, hasCertificate, type Config } from './config.js';
import { TLSConn } from './conn.js';

/** Wraps accepted sockets into server-side TLS sockets (one per listener). */
class ServerWrapper implements SocketWrapper {
  readonly #ctx: SecureContext;
  readonly #config: Config;
  readonly #requestCert: boolean;
  readonly #reject: boolean;

  constructor(ctx: SecureContext, config: Config) {
    this.#ctx = ctx;
    this.#config = config;
    [this.#requestCert, this.#reject] = clientAuth(config);
  }

  socket(raw: Socket): Socket {
    // The raw socket keeps an 'error' listener (a no-op once TLS owns its handle), so nothing
    // it might still emit is ever unhandled.
    if (!raw.listeners('error').includes(onSocketError)) raw.on('error', onSocketError);
    const s = new TLSSocket(raw, {
      isServer: true,
      secureContext: this.#ctx,
      requestCert: this.#requestCert,
      rejectUnauthorized: this.#reject,
      ALPNProtocols: alpn(this.#config),
      SNICallback: this.#config.SNICallback,
    });
    return s;
  }

  conn(s: Socket, net: string, laddr: Addr | null): TLSConn {
    s.on('error', onSocketError);
    return TLSConn[kNewTLS](s as TLSSocket, net, false, laddr);
  }
}

/**
 * Listens on a local address and speaks TLS on every accepted connection (Go's `tls.Listen`).
 * Accepted connections are {@link TLSConn}s whose handshake runs lazily: in their first read,
 * or in `handshake()`, bounded by the read deadline.
 *
 * @param network "tcp", "tcp4", "tcp6" or "unix".
 * @param address as for `listen` (":8443", "127.0.0.1:0"...).
 * @param config must present a certificate: `certificates` (Go) or `cert` + `key` (Node).
 * @returns the listener (its `accept()` resolves to `TLSConn`s).
 * @throws OpError with op "listen": as `listen`, or cause a config error
 *   (`STRAND_ERR_NET_TLS_CONFIG`: no certificate, a bad key...).
 * @example
 * ```ts
 * const ln = await tls.listen('tcp', ':8443', { certificates: [{ cert, key }] });
 * for await (const conn of ln) go(serve, conn);
 * ```
 */
export function listen(network: string, address: string, config: Config): Promise<Listener> {
  if (!hasCertificate(config)) {
    return failNow(new OpError('listen', network, null, null, errTLSConfig('tls: neither certificates nor cert/key set in config')));
  }
  let ctx: SecureContext;
  try {
    ctx = createSecureContext(contextOptions(config, 'server'));
  } catch (err) {
    return failNow(new OpError('listen', network, null, null, errTLSConfig(`tls: ${(err as Error).message}`)));
  }
  return listenWith(network, address, new ServerWrapper(ctx, config));
}
