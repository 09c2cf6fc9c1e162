/**
 * strand/net: Go's net, io and bufio packages with blocking-style calls that park the calling
 * goroutine (listen, dial, accept, read, write, deadlines).
 *
 * @module
 */
export { listen, Listener, LISTEN_CHANNEL } from './listen.js';
export { dial, type DialOptions, type DialContext } from './dial.js';
export { Conn, type Deadline } from './conn.js';
export { TCPAddr, UDPAddr, UnixAddr, splitHostPort, joinHostPort } from './addr.js';
export { listenPacket, PacketConn, type ListenPacketOptions } from './packetconn.js';
export type { Addr } from './netaddr.js';
export {
  OpError,
  TLSHandshakeError,
  AddrError,
  UnknownNetworkError,
  ErrClosed,
  ErrDeadlineExceeded,
  netCodes,
  errorIs,
  ErrUnexpectedEOF,
  ErrShortWrite,
  ioCodes,
} from './errors.js';
export {
  copy,
  copyBuffer,
  readFull,
  readAll,
  COPY_BUFFER_SIZE,
  type Reader,
  type Writer,
  type WriterTo,
  type ReaderFrom,
  type MaybePromise,
} from './io.js';
export * as bufio from './bufio/index.js';
export * as tls from './tls/index.js';
export { TLSConn, type ConnectionState } from './tls/conn.js';
