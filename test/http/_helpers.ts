// Shared helpers of the HTTP tests: a real server on 127.0.0.1 with a captured pino log.
import { Writable } from 'node:stream';
import * as net from 'node:net';
import { pino } from 'pino';
import { Server, type HandlerLike, type ServerOptions } from '../../src/http/index.js';
import { listen, TCPAddr } from '../../src/net/index.js';

export interface TestServer {
  srv: Server;
  port: number;
  base: string;
  /** Parsed pino log lines. */
  logs: Record<string, unknown>[];
}

/** Starts a Server on 127.0.0.1:0 whose logger writes JSON lines into `logs`. */
export async function startServer(handler: HandlerLike, opts: Omit<ServerOptions, 'handler'> = {}): Promise<TestServer> {
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString().split('\n')) if (line !== '') logs.push(JSON.parse(line));
      cb();
    },
  });
  const l = await listen('tcp', '127.0.0.1:0');
  const srv = new Server({ logger: pino({ level: 'debug' }, sink), ...opts, handler });
  void srv.serve(l);
  const port = (l.addr as TCPAddr).port;
  return { srv, port, base: `http://127.0.0.1:${port}`, logs };
}

/** Opens a raw TCP connection to the server and resolves once connected. */
export function rawConnect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

/** Collects everything the peer sends until it closes the connection. */
export function readUntilClose(s: net.Socket): Promise<string> {
  return new Promise((resolve) => {
    let out = '';
    s.on('data', (d: Buffer) => (out += d.toString('latin1')));
    s.on('error', () => {});
    s.on('close', () => resolve(out));
  });
}
