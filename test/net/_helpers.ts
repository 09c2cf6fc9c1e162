/**
 * Shared helpers for the net tests: a connected pair of Conns over loopback, and a raw node:net
 * peer for tests that need a peer strand does not control.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { dial, listen, type Conn, type Listener } from '../../src/net/index.js';

/** A listener on 127.0.0.1 and a dialed client with the accepted server side. */
export interface Pair {
  ln: Listener;
  client: Conn;
  server: Conn;
  /** Closes both ends and the listener. */
  close(): void;
}

/** Listens on 127.0.0.1:0, dials it, accepts. */
export async function pair(network = 'tcp', address = '127.0.0.1:0'): Promise<Pair> {
  const ln = await listen(network, address);
  const accepted = ln.accept();
  const client = await dial(network, String(ln.addr));
  const server = await accepted;
  return {
    ln,
    client,
    server,
    close() {
      client.close();
      server.close();
      ln.close();
    },
  };
}

/** A raw node:net server on 127.0.0.1 handing each socket to `onSocket`. */
export async function rawServer(onSocket: (s: Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer({ allowHalfOpen: true }, onSocket);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const a = server.address();
  return { server, port: typeof a === 'object' && a !== null ? a.port : 0 };
}

/** Resolves after `ms` (only for bounding waits, never as synchronization). */
export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Reads from `c` until EOF and returns everything. */
export async function drain(c: Conn): Promise<Buffer> {
  const parts: Buffer[] = [];
  const buf = Buffer.alloc(65536);
  for (;;) {
    const n = await c.read(buf);
    if (n === null) return Buffer.concat(parts);
    parts.push(Buffer.from(buf.subarray(0, n)));
  }
}
