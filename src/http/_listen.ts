/**
 * @internal TCP listening for `listenAndServe`. Temporary adapter over node:net until strand/net's
 * `listen('tcp', address)` lands; it offers the same `acceptSocket()` contract.
 */

import * as net from 'node:net';
import type { SocketListener } from './_listener.js';

class NodeListener implements SocketListener {
  _srv: net.Server;
  _queue: net.Socket[] = [];
  _waiters: { resolve: (s: net.Socket) => void; reject: (e: Error) => void }[] = [];
  _closed = false;

  constructor(srv: net.Server) {
    this._srv = srv;
    srv.on('connection', (s) => {
      const w = this._waiters.shift();
      if (w !== undefined) w.resolve(s);
      else this._queue.push(s);
    });
  }

  get addr(): net.AddressInfo {
    return this._srv.address() as net.AddressInfo;
  }

  acceptSocket(): Promise<net.Socket> {
    if (this._closed) return Promise.reject(new Error('net: use of closed network connection'));
    const s = this._queue.shift();
    if (s !== undefined) return Promise.resolve(s);
    return new Promise((resolve, reject) => this._waiters.push({ resolve, reject }));
  }

  close(): void {
    if (this._closed) return;
    this._closed = true;
    this._srv.close();
    for (const s of this._queue) s.destroy();
    for (const w of this._waiters) w.reject(new Error('net: use of closed network connection'));
    this._waiters = [];
  }
}

function splitHostPort(addr: string): [string, number] {
  const i = addr.lastIndexOf(':');
  if (i < 0) throw new Error(`http: missing port in address ${addr}`);
  let host = addr.slice(0, i);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return [host, Number(addr.slice(i + 1))];
}

/** Listens on a Go-style TCP address (":8080", "127.0.0.1:0", "[::1]:0"). */
export function listenTCP(addr: string): Promise<SocketListener & { addr: net.AddressInfo }> {
  const [host, port] = splitHostPort(addr);
  const srv = net.createServer();
  return new Promise((resolve, reject) => {
    srv.once('error', reject);
    srv.listen({ host: host === '' ? undefined : host, port }, () => {
      srv.off('error', reject);
      resolve(new NodeListener(srv));
    });
  });
}
