/**
 * The raw Node.js peer of the echo load test: `on('data') → write`, the fastest plain callback
 * echo. Prints `READY <port>` once listening on 127.0.0.1 (port from argv[2], default 0).
 *
 * (load-tests/peers is outside the TypeScript build: the echo scenario transpiles this file.)
 */
import { createServer, type Socket } from 'node:net';

const server = createServer((s: Socket) => {
  s.on('data', (d: Buffer) => s.write(d));
  s.on('error', () => {});
});
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  const a = server.address();
  process.stdout.write(`READY ${typeof a === 'object' && a !== null ? a.port : 0}\n`);
});
process.on('SIGTERM', () => process.exit(0));
