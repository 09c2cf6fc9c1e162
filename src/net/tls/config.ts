/**
 * The TLS configuration of strand/net's `tls.listen` and `tls.dial`: Node's tls options as they
 * are (`cert`, `key`, `ca`, `rejectUnauthorized`, `servername`, `ALPNProtocols`, `minVersion`...)
 * plus Go's `crypto/tls.Config` names where a Go programmer looks for them, mapped onto Node's:
 *
 * | Go (`tls.Config`)            | here                    | Node option it sets                   |
 * | ---------------------------- | ----------------------- | ------------------------------------- |
 * | `Certificates`               | `certificates`          | `cert` + `key` (one pair each)        |
 * | `RootCAs`                    | `rootCAs`               | `ca` (client side)                    |
 * | `ClientCAs`                  | `clientCAs`             | `ca` (server side)                    |
 * | `ServerName`                 | `serverName`            | `servername` (SNI and name check)     |
 * | `InsecureSkipVerify`         | `insecureSkipVerify`    | `rejectUnauthorized: false`           |
 * | `MinVersion` / `MaxVersion`  | `minVersion`/`maxVersion` ('TLSv1.2', 'TLSv1.3': {@link VersionTLS12}) |
 * | `NextProtos`                 | `nextProtos`            | `ALPNProtocols`                       |
 * | `ClientAuth`                 | `clientAuth`            | `requestCert` + `rejectUnauthorized`  |
 *
 * When both names are given, Go's wins. Pure functions, no state.
 *
 * @module
 */

import type { ConnectionOptions, SecureContextOptions, SecureVersion, TlsOptions } from 'node:tls';

/** Go's `tls.VersionTLS12`: a value for `minVersion`/`maxVersion`. */
export const VersionTLS12: SecureVersion = 'TLSv1.2';
/** Go's `tls.VersionTLS13`: a value for `minVersion`/`maxVersion`. */
export const VersionTLS13: SecureVersion = 'TLSv1.3';

/** A certificate chain and its private key, PEM (Go's `tls.Certificate`). */
export interface Certificate {
  /** The certificate (chain), PEM. */
  cert: string | Buffer;
  /** Its private key, PEM. */
  key: string | Buffer;
}

/**
 * Go's `tls.ClientAuthType`: whether a server asks for a client certificate. `'none'` (the
 * default), `'request'` (ask, accept anything or nothing), `'requireAndVerify'` (a client
 * certificate signed by `clientCAs` is required).
 */
export type ClientAuthType = 'none' | 'request' | 'requireAndVerify';

/** Several PEM certificates (CAs). */
export type PEMs = string | Buffer | Array<string | Buffer>;

/**
 * A TLS configuration (Go's `tls.Config`): Node's options, plus Go's names (see the module docs
 * for the mapping).
 */
export interface Config extends SecureContextOptions, Pick<TlsOptions, 'requestCert' | 'SNICallback'> {
  /** Go's `Certificates`: the certificate chains to present (sets Node's `cert` and `key`). */
  certificates?: Certificate[];
  /** Go's `RootCAs`: the CAs a client trusts (default: Node's bundled roots). */
  rootCAs?: PEMs;
  /** Go's `ClientCAs`: the CAs a server trusts for client certificates. */
  clientCAs?: PEMs;
  /** Go's `ServerName`: the name a client sends (SNI) and checks the certificate against. */
  serverName?: string;
  /** Node's name for {@link serverName}. */
  servername?: string;
  /** Go's `InsecureSkipVerify`: accept any certificate (tests only; sets `rejectUnauthorized: false`). */
  insecureSkipVerify?: boolean;
  /** Whether a refused certificate fails the handshake (Node's name; default true). */
  rejectUnauthorized?: boolean;
  /** Go's `NextProtos`: ALPN protocols, most preferred first (sets `ALPNProtocols`). */
  nextProtos?: string[];
  /** Node's name for {@link nextProtos}. */
  ALPNProtocols?: string[];
  /** Go's `ClientAuth` (server side). */
  clientAuth?: ClientAuthType;
  /** Node's client-side host-name check, replaced (see node:tls). */
  checkServerIdentity?: ConnectionOptions['checkServerIdentity'];
}

function pems(v: PEMs): Array<string | Buffer> | string | Buffer {
  return v;
}

/** @internal Node's secure-context options of `config`, for `side`. */
export function contextOptions(config: Config, side: 'server' | 'client'): SecureContextOptions {
  const o: SecureContextOptions = { ...config };
  for (const k of ['certificates', 'rootCAs', 'clientCAs', 'serverName', 'servername', 'insecureSkipVerify', 'rejectUnauthorized', 'nextProtos', 'ALPNProtocols', 'clientAuth', 'checkServerIdentity', 'requestCert', 'SNICallback']) {
    delete (o as Record<string, unknown>)[k];
  }
  if (config.certificates !== undefined && config.certificates.length > 0) {
    o.cert = config.certificates.map((c) => c.cert);
    o.key = config.certificates.map((c) => c.key);
  }
  const ca = side === 'client' ? config.rootCAs : config.clientCAs;
  if (ca !== undefined) o.ca = pems(ca);
  return o;
}

/** @internal Whether a server configuration has something to present. */
export function hasCertificate(config: Config): boolean {
  return (config.certificates !== undefined && config.certificates.length > 0) || config.cert !== undefined || config.pfx !== undefined || config.SNICallback !== undefined;
}

/** @internal Node's ALPN protocols of `config`. */
export function alpn(config: Config): string[] | undefined {
  return config.nextProtos ?? config.ALPNProtocols;
}

/** @internal Whether a refused peer certificate fails the handshake, client side. */
export function clientRejects(config: Config): boolean {
  if (config.insecureSkipVerify === true) return false;
  return config.rejectUnauthorized ?? true;
}

/** @internal Server side: `[requestCert, rejectUnauthorized]`. */
export function clientAuth(config: Config): [boolean, boolean] {
  switch (config.clientAuth) {
    case 'request':
      return [true, false];
    case 'requireAndVerify':
      return [true, true];
    case 'none':
      return [false, false];
    default:
      return [config.requestCert ?? false, config.requestCert === true ? (config.rejectUnauthorized ?? true) : false];
  }
}
