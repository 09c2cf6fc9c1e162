/**
 * The raw Node.js peer of the echo load test: `on('data') → write`, the fastest plain callback
 * echo. Prints `READY <port>` once listening on 127.0.0.1 (port from argv[2], default 0). With
 * a certificate and key file (argv[3], argv[4]) it speaks TLS (node:tls `createServer`).
 *
 * (load-tests/peers is outside the TypeScript build: the echo scenario transpiles this file.)
 */
import { readFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { createServer as createTLSServer } from 'node:tls';

const onConn = (s: Socket): void => {
  s.on('data', (d: Buffer) => s.write(d));
  s.on('error', () => {});
};
const server =
  process.argv[3] !== undefined
    ? createTLSServer({ cert: readFileSync(process.argv[3]), key: readFileSync(process.argv[4]!) }, onConn)
    : createServer(onConn);
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  const a = server.address();
  process.stdout.write(`READY ${typeof a === 'object' && a !== null ? a.port : 0}\n`);
});
process.on('SIGTERM', () => process.exit(0));
