/**
 * @internal TCP listening for `listenAndServe`, through strand/net (the layer below).
 */

import { listen, type Listener } from '../net/index.js';

/** Listens on a Go-style TCP address (":8080", "127.0.0.1:0", "[::1]:0"). */
export function listenTCP(addr: string): Promise<Listener> {
  return listen('tcp', addr);
}
