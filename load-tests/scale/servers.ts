/**
 * The servers of the scale scenario: `node servers.js <impl> <kind> <procs> <port> [share]`.
 *
 * - impl `strand`, kind `http`: strand/http `serve` answering GET / with "hello world\n", run
 *   through strand/procs `run` with `procs` processes (`share`: `auto`, `reusePort`, `cluster`).
 *   (The strand echo is the echo example itself: `examples/echo/main.js --procs N`.)
 * - impl `node`, kind `http` or `echo`: raw node:http / a raw `on('data') → write` echo, with
 *   `procs` processes the way a Node user would run them: one process for 1; for more,
 *   node:cluster workers that either share the primary's handle (`cluster`, the only way on Node
 *   20) or each bind the port with `reusePort` (`reusePort`, Node ≥ 22.12 / 23.1).
 *
 * Every server listens on 127.0.0.1:<port> (a fixed port: reusePort needs one) and stops on
 * SIGTERM. Readiness is the port accepting (the harness polls it).
 */
import cluster from 'node:cluster';
import * as http from 'node:http';
import { createServer, type Socket, type ListenOptions } from 'node:net';
import { pino } from 'pino';
import { chan, signal } from '../../src/runtime/index.js';
import { listen } from '../../src/net/index.js';
import { serve } from '../../src/http/index.js';
import { run, type Sharing } from '../../src/procs/index.js';

const [impl = 'strand', kind = 'http', procsArg = '1', portArg = '0', shareArg = 'auto'] = process.argv.slice(2);
const procs = Number(procsArg);
const port = Number(portArg);
const share = shareArg as Sharing | 'auto';
const BODY = 'hello world\n';

if (impl === 'strand' && kind === 'http') {
  run(
    async () => {
      const ln = await listen('tcp', `127.0.0.1:${port}`);
      const srv = serve(
        ln,
        (w) => {
          w.header().set('Content-Type', 'text/plain');
          w.write(BODY);
        },
        { logger: pino({ level: 'warn' }) },
      );
      const sigs = chan<NodeJS.Signals>(1);
      signal.notify(sigs, 'SIGTERM', 'SIGINT');
      await sigs.recv();
      srv.close();
    },
    { procs, share },
  );
} else if (impl === 'node') {
  const reusePort = share === 'reusePort';
  if (procs > 1 && cluster.isPrimary) {
    for (let i = 0; i < procs; i++) cluster.fork();
    const stop = (): void => {
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
    };
    process.on('SIGTERM', stop);
    let left = procs;
    cluster.on('exit', () => {
      if (--left === 0) process.exit(0);
    });
  } else {
    const srv =
      kind === 'http'
        ? http.createServer((_req, res) => {
            res.setHeader('Content-Type', 'text/plain');
            res.end(BODY);
          })
        : createServer((s: Socket) => {
            s.on('data', (d: Buffer) => s.write(d));
            s.on('error', () => {});
          });
    const opts: ListenOptions & { reusePort?: boolean } = { port, host: '127.0.0.1' };
    if (reusePort && procs > 1) opts.reusePort = true;
    srv.listen(opts);
    process.on('SIGTERM', () => process.exit(0));
  }
} else {
  process.stderr.write(`scale servers: unknown ${impl} ${kind}\n`);
  process.exit(1);
}
