/**
 * PacketConn: a datagram socket with blocking-style reads and writes (Go's `net.PacketConn`,
 * `net.UDPConn`), a thin user of the netpoller's {@link PacketQueue}; and `listenPacket`
 * (Go's `net.ListenPacket`) on node:dgram.
 *
 * Flow control: a datagram socket cannot be paused, so datagrams that arrive while no goroutine
 * reads are kept up to a bound (by default 1024 datagrams and 1 MiB; `ListenPacketOptions`) and
 * then dropped and counted ({@link PacketConn.droppedPackets}) — UDP may drop, memory may not
 * grow.
 *
 * @module
 */

import { createSocket, type RemoteInfo } from 'node:dgram';
import { isIP } from 'node:net';
import { failNow } from './poll/now.js';
import { PacketQueue } from './poll/packet.js';
import { kOpError, kPacket } from './poll/_symbols.js';
import { kNew } from './_symbols.js';
import { UDPAddr, splitHostPort } from './addr.js';
import { deadlineMs, type Deadline } from './conn.js';
import { AddrError, OpError, UnknownNetworkError } from './errors.js';
import type { Addr } from './netaddr.js';

/** Options of {@link listenPacket}: the bound on datagrams kept while nobody reads. */
export interface ListenPacketOptions {
  /** Keep at most this many unread datagrams (default 1024). */
  maxQueuedPackets?: number;
  /** Keep at most this many unread bytes (default 1 MiB). */
  maxQueuedBytes?: number;
  /** The kernel's receive buffer (SO_RCVBUF), bytes; default the system's. */
  recvBufferSize?: number;
}

/**
 * A UDP socket (Go's `net.UDPConn` used as a `PacketConn`). `readFrom` parks until a datagram
 * arrives; `writeTo` parks until the datagram is handed to the kernel.
 *
 * @example
 * ```ts
 * const pc = await listenPacket('udp', '127.0.0.1:9000');
 * const buf = Buffer.alloc(1500);
 * const [n, from] = await pc.readFrom(buf);
 * await pc.writeTo(buf.subarray(0, n), from); // echo
 * ```
 */
export class PacketConn {
  readonly #q: PacketQueue;
  readonly #net: string;
  #laddr: UDPAddr | null = null;

  /** @internal How {@link listenPacket} makes one (users get one from it). */
  static [kNew](net: string, type: 'udp4' | 'udp6', opts: ListenPacketOptions): PacketConn {
    return new PacketConn(net, type, opts);
  }

  private constructor(net: string, type: 'udp4' | 'udp6', opts: ListenPacketOptions) {
    this.#net = net;
    const s = createSocket({ type, ipv6Only: net === 'udp6', recvBufferSize: opts.recvBufferSize });
    this.#q = new PacketQueue(s, this, opts.maxQueuedPackets, opts.maxQueuedBytes);
  }

  /** @internal Binds (listenPacket). */
  bind(port: number, address: string | undefined): Promise<void> {
    return this.#q.bind(port, address);
  }

  /**
   * Reads one datagram into `buf`, parking ("IO wait") until one arrives. A datagram larger
   * than `buf` is truncated to it (the rest is lost, as with Go's ReadFrom).
   *
   * @returns `[n, from]`: the bytes copied and the sender.
   * @throws OpError — cause `ErrClosed` after {@link close} (also for a parked read),
   *   `ErrDeadlineExceeded` once the read deadline passed, or a socket error.
   */
  readFrom(buf: Uint8Array): [number, UDPAddr] | Promise<[number, UDPAddr]> {
    return this.#q.read(buf) as [number, UDPAddr] | Promise<[number, UDPAddr]>;
  }

  /**
   * Sends `buf` as one datagram to `addr` (a UDPAddr or "host:port"), parking until it is handed
   * to the kernel.
   *
   * @returns `buf.length`.
   * @throws OpError — cause `ErrClosed`, `ErrDeadlineExceeded`, an AddrError, or the send error
   *   (EMSGSIZE for a datagram too large...).
   */
  writeTo(buf: Uint8Array, addr: UDPAddr | string): Promise<number> {
    let ip: string;
    let port: number;
    if (typeof addr === 'string') {
      try {
        const [h, p] = splitHostPort(addr);
        if (!/^[0-9]+$/.test(p) || Number(p) > 65535) throw new AddrError('invalid port', addr);
        ip = h === '' ? 'localhost' : h;
        port = Number(p);
      } catch (err) {
        return failNow(this[kOpError]('write', err as Error));
      }
    } else {
      ip = addr.zone !== '' ? `${addr.ip}%${addr.zone}` : addr.ip;
      port = addr.port;
    }
    try {
      return this.#q.write(buf, port, ip);
    } catch (err) {
      return failNow(err);
    }
  }

  /** Closes the socket: parked and later calls fail with `ErrClosed`. Closing twice does nothing. */
  close(): void {
    if (this.#laddr === null && !this.#q.isClosed) {
      try {
        this.#laddr = this.localAddr;
      } catch {
        // not bound
      }
    }
    this.#q.close();
  }

  /** Closes the socket when an `await using` scope ends. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  /** The local address (with the actual port when port 0 was asked for). */
  get localAddr(): UDPAddr {
    if (this.#laddr !== null) return this.#laddr;
    const a = this.#q.socket.address();
    return new UDPAddr(a.address, a.port);
  }

  /** Datagrams dropped because they arrived while the queue of unread ones was full. */
  get droppedPackets(): number {
    return this.#q.dropped;
  }

  /** Unread datagrams kept, and their bytes (never over the bound). */
  get queued(): { packets: number; bytes: number } {
    return this.#q.queued;
  }

  /** Sets the read and write deadlines (see `Conn.setDeadline`). */
  setDeadline(t: Deadline): void {
    this.#q.setDeadline(3, deadlineMs(t));
  }

  /** Sets the read deadline only. */
  setReadDeadline(t: Deadline): void {
    this.#q.setDeadline(1, deadlineMs(t));
  }

  /** Sets the write deadline only. */
  setWriteDeadline(t: Deadline): void {
    this.#q.setDeadline(2, deadlineMs(t));
  }

  /** @internal The netpoller's callback: wraps its errors. */
  [kOpError](op: string, cause: Error): Error {
    let local: Addr | null = this.#laddr;
    if (local === null) {
      try {
        local = this.localAddr;
      } catch {
        local = null;
      }
    }
    return new OpError(op, this.#net, local, null, cause);
  }

  /** @internal The netpoller's callback: a read's result. */
  [kPacket](n: number, from: RemoteInfo): [number, UDPAddr] {
    return [n, new UDPAddr(from.address, from.port)];
  }
}

/**
 * Listens for datagrams on a local address (Go's `net.ListenPacket`).
 *
 * @param network "udp" (IPv4 and IPv6), "udp4" or "udp6".
 * @param address `host:port`: ":9000", "127.0.0.1:0" (a free port, see `localAddr`), "[::1]:9000".
 * @param opts the bound on unread datagrams, the receive buffer size.
 * @returns the PacketConn, once bound.
 * @throws OpError with op "listen": an UnknownNetworkError, an AddrError, or the system error
 *   (EADDRINUSE...).
 * @example
 * ```ts
 * const pc = await listenPacket('udp', '127.0.0.1:0');
 * ```
 */
export async function listenPacket(network: string, address: string, opts: ListenPacketOptions = {}): Promise<PacketConn> {
  let host: string;
  let port: number;
  try {
    if (network !== 'udp' && network !== 'udp4' && network !== 'udp6') throw new UnknownNetworkError(network);
    const [h, p] = splitHostPort(address);
    if (p !== '' && (!/^[0-9]+$/.test(p) || Number(p) > 65535)) throw new AddrError('invalid port', address);
    host = h;
    port = p === '' ? 0 : Number(p);
    if (network === 'udp4' && isIP(host) === 6) throw new AddrError('no suitable address found', address);
    if (network === 'udp6' && isIP(host) === 4) throw new AddrError('no suitable address found', address);
  } catch (err) {
    throw new OpError('listen', network, null, null, err as Error);
  }
  const v4 = network === 'udp4' || (network === 'udp' && isIP(host) === 4);
  const pc = PacketConn[kNew](network, v4 ? 'udp4' : 'udp6', opts);
  const bindHost = host === '' ? (v4 ? '0.0.0.0' : '::') : host === 'localhost' ? (v4 ? '127.0.0.1' : '::1') : host;
  await pc.bind(port, bindHost);
  return pc;
}
