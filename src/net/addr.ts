/**
 * Network addresses (Go's `net.TCPAddr`, `UnixAddr`; the `Addr` interface they implement is in
 * `netaddr.ts`) and the parsing of Go-style address strings: `":8080"`, `"127.0.0.1:0"`,
 * `"[::1]:9000"`, `"localhost:80"`, a socket path.
 *
 * @module
 */

import { AddrError, UnknownNetworkError } from './errors.js';
import type { Addr } from './netaddr.js';

/**
 * An IP endpoint: what Go's `net.TCPAddr` and `net.UDPAddr` share (address, port, zone, and
 * their `ip:port` form). Only the network name differs between the two.
 */
abstract class IPEndpoint implements Addr {
  /** The IP address, without brackets ("127.0.0.1", "::1"); "" for the unspecified address. */
  readonly ip: string;
  readonly port: number;
  /** The IPv6 zone ("eth0" in "fe80::1%eth0"), or "". */
  readonly zone: string;

  /**
   * @param ip the IP address (an IPv4-mapped IPv6 address is shown as IPv4, as Go does).
   * @param port the port.
   * @param zone the IPv6 zone, if any.
   */
  constructor(ip: string, port: number, zone = '') {
    this.ip = ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
    this.port = port;
    this.zone = zone;
  }

  abstract network(): string;

  /** `ip:port`, with brackets around an IPv6 address: `[::1]:9000`. */
  toString(): string {
    return joinHostPort(this.zone !== '' ? `${this.ip}%${this.zone}` : this.ip, String(this.port));
  }
}

/** A TCP endpoint (Go's `net.TCPAddr`). */
export class TCPAddr extends IPEndpoint {
  /** Always "tcp". */
  network(): string {
    return 'tcp';
  }
}

/** A UDP endpoint (Go's `net.UDPAddr`). */
export class UDPAddr extends IPEndpoint {
  /** Always "udp". */
  network(): string {
    return 'udp';
  }
}

/** A Unix domain socket endpoint (Go's `net.UnixAddr`). */
export class UnixAddr implements Addr {
  /** The socket path ("" for an unnamed socket; Linux abstract names start with "@"). */
  readonly name: string;

  constructor(name: string) {
    this.name = name;
  }

  /** Always "unix". */
  network(): string {
    return 'unix';
  }

  /** The path. */
  toString(): string {
    return this.name;
  }
}

/**
 * Splits `host:port`, `[host]:port` or `[host%zone]:port` into host and port (Go's
 * `net.SplitHostPort`).
 *
 * @returns `[host, port]`; the host has no brackets.
 * @throws AddrError (code STRAND_ERR_NET_ADDR) "missing port in address", "too many colons in
 *   address", "missing ']' in address", "unexpected '[' in address".
 * @example splitHostPort('[::1]:9000') // ['::1', '9000']
 */
export function splitHostPort(hostport: string): [string, string] {
  const i = hostport.lastIndexOf(':');
  if (i < 0) throw new AddrError('missing port in address', hostport);
  let host: string;
  if (hostport[0] === '[') {
    const end = hostport.indexOf(']');
    if (end < 0) throw new AddrError("missing ']' in address", hostport);
    if (end + 1 === hostport.length) throw new AddrError('missing port in address', hostport);
    if (end + 1 !== i) {
      throw new AddrError(hostport[end + 1] === ':' ? 'too many colons in address' : 'missing port in address', hostport);
    }
    host = hostport.slice(1, end);
    if (host.includes('[')) throw new AddrError("unexpected '[' in address", hostport);
  } else {
    host = hostport.slice(0, i);
    if (host.includes(':')) throw new AddrError('too many colons in address', hostport);
    if (host.includes('[')) throw new AddrError("unexpected '[' in address", hostport);
  }
  const port = hostport.slice(i + 1);
  if (port.includes(']')) throw new AddrError("unexpected ']' in address", hostport);
  return [host, port];
}

/**
 * Joins a host and a port into `host:port`, bracketing an IPv6 host (Go's `net.JoinHostPort`).
 *
 * @example joinHostPort('::1', '80') // '[::1]:80'
 */
export function joinHostPort(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** @internal A parsed address for listen/dial. */
export type ParsedAddr =
  | { kind: 'tcp'; net: 'tcp' | 'tcp4' | 'tcp6'; host: string; port: number; family: 0 | 4 | 6 }
  | { kind: 'unix'; net: 'unix'; path: string };

/** Ports named by services Go resolves without a lookup (a small, common set). */
const SERVICES: Record<string, number> = { http: 80, https: 443, ftp: 21, ssh: 22, smtp: 25, domain: 53 };

/**
 * @internal Parses a network name and a Go-style address (for listen and dial).
 *
 * @throws UnknownNetworkError for a network other than tcp, tcp4, tcp6, unix; AddrError for a
 *   malformed address or port.
 */
export function parseAddr(network: string, address: string): ParsedAddr {
  switch (network) {
    case 'tcp':
    case 'tcp4':
    case 'tcp6': {
      const [host, portStr] = splitHostPort(address);
      let port: number;
      if (portStr === '') port = 0;
      else if (/^[0-9]+$/.test(portStr)) {
        port = Number(portStr);
        if (port > 65535) throw new AddrError('invalid port', address);
      } else if (Object.prototype.hasOwnProperty.call(SERVICES, portStr)) port = SERVICES[portStr];
      else throw new AddrError('unknown port', address);
      const family = network === 'tcp4' ? 4 : network === 'tcp6' ? 6 : 0;
      const zone = host.indexOf('%');
      const ip = zone >= 0 ? host.slice(0, zone) : host;
      if (family === 4 && ip.includes(':')) throw new AddrError('no suitable address found', address);
      if (family === 6 && /^[0-9.]+$/.test(ip) && ip !== '') throw new AddrError('no suitable address found', address);
      return { kind: 'tcp', net: network, host, port, family };
    }
    case 'unix':
      if (address === '') throw new AddrError('missing address', address);
      return { kind: 'unix', net: 'unix', path: address[0] === '@' ? `\0${address.slice(1)}` : address };
    default:
      throw new UnknownNetworkError(network);
  }
}

/** @internal The Addr shown in errors for an address as given (before any connection exists). */
export function addrOf(p: ParsedAddr, address: string): Addr {
  if (p.kind === 'unix') return new UnixAddr(address);
  return new TCPAddr(p.host, p.port);
}
