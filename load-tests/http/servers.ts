/**
 * The servers of the http load scenario, one per process: `node servers.js <impl>` with impl one
 * of `node` (raw node:http), `strand` (strand/http `serve`), `fastify` (a Fastify route),
 * `fastify-strand` (the same route after `register(strand)`). Each answers GET / with
 * "hello world\n" as text/plain, listens on 127.0.0.1:0 and prints `READY <port>`.
 * (The Go peer is load-tests/peers/go/http/main.go.)
 */
import * as http from 'node:http';
import { fastify } from 'fastify';
import { pino } from 'pino';
import { listen, type TCPAddr } from '../../src/net/index.js';
import { serve } from '../../src/http/index.js';
import { strand } from '../../src/http/fastify/index.js';

const BODY = 'hello world\n';
const impl = process.argv[2] ?? 'strand';

function ready(port: number): void {
  process.stdout.write(`READY ${port}\n`);
}

if (impl === 'node') {
  const srv = http.createServer((_req, res) => {
    res.setHeader('Content-Type', 'text/plain');
    res.end(BODY);
  });
  srv.listen(0, '127.0.0.1', () => ready((srv.address() as { port: number }).port));
  process.once('SIGTERM', () => srv.close(() => process.exit(0)));
} else if (impl === 'strand') {
  const ln = await listen('tcp', '127.0.0.1:0');
  const srv = serve(
    ln,
    (w) => {
      w.header().set('Content-Type', 'text/plain');
      w.write(BODY);
    },
    { logger: pino({ level: 'warn' }) },
  );
  ready((ln.addr as TCPAddr).port);
  process.once('SIGTERM', () => {
    srv.close();
    process.exit(0);
  });
} else if (impl === 'fastify' || impl === 'fastify-strand') {
  const app = fastify({ logger: false });
  if (impl === 'fastify-strand') await app.register(strand);
  app.get('/', async (_req, reply) => {
    reply.header('Content-Type', 'text/plain');
    return BODY;
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  ready((app.server.address() as { port: number }).port);
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
} else {
  process.stderr.write(`unknown impl ${impl}\n`);
  process.exit(1);
}
