import t from 'tap';
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { chan, withCancelCause, background, Canceled } from '../../src/runtime/index.js';
import { startServer, rawConnect, readUntilClose } from './_helpers.js';

const child = fileURLToPath(new URL('./fixtures/shutdown-child.js', import.meta.url));

t.test('Server.shutdown(): in-flight request completes, idle connections close, new connections are refused, the process exits', { timeout: 15_000 }, async (t) => {
  const proc = spawn(process.execPath, [child], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = chan<string>(16);
  let buf = '';
  proc.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      lines.trySend(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const ready = (await lines.recv())!;
  const port = Number(ready.split(' ')[1]);
  const base = `http://127.0.0.1:${port}`;

  // An idle keep-alive connection.
  const idle = await rawConnect(port);
  const idleClosed = readUntilClose(idle);
  idle.write('GET /fast HTTP/1.1\r\nHost: x\r\n\r\n');

  const agent = new Agent();
  const slow = request(`${base}/slow`, { dispatcher: agent });
  t.equal(await lines.recv(), 'INFLIGHT');
  proc.kill('SIGTERM');
  t.equal(await lines.recv(), 'SHUTTING');

  const refused = await new Promise<string>((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
  });
  t.equal(refused, 'ECONNREFUSED', 'new connections are refused');

  const res = await slow;
  t.equal(res.statusCode, 200);
  t.equal(res.headers.connection, 'close', 'the in-flight response asks the client to close');
  t.equal(await res.body.text(), 'slow done', 'the in-flight request completed');
  t.match(await idleClosed, /^HTTP\/1\.1 200 OK[\s\S]*fast$/, 'the idle keep-alive connection was closed after its response');
  t.equal(await lines.recv(), 'SHUTDOWN OK');
  t.equal(await exited, 0, 'the process exits by itself');
  await agent.close();
});

t.test('Server.shutdown(ctx) force-closes connections when ctx is done and rejects with ctx.err()', { timeout: 10_000 }, async (t) => {
  const never = chan<void>();
  const started = chan<void>(1);
  const handlerDone = chan<void>(1);
  const { srv, base } = await startServer(async () => {
    started.trySend();
    await never.recv(); // ignores its context
    handlerDone.trySend();
  });
  const p = request(base);
  p.catch(() => {});
  await started.recv();
  const [ctx, cancel] = withCancelCause(background());
  setTimeout(() => cancel(), 100);
  await t.rejects(srv.shutdown(ctx), Canceled);
  await t.rejects(p, 'the in-flight request was cut');
  never.close();
  await handlerDone.recv();
});

t.test('Server.close() closes every connection at once', { timeout: 10_000 }, async (t) => {
  const { srv, port } = await startServer((w) => {
    w.write('x');
  });
  const s = await rawConnect(port);
  const closed = readUntilClose(s);
  s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  await new Promise((r) => s.once('data', r));
  srv.close();
  t.match(await closed, /^HTTP\/1\.1 200/);
  t.equal(srv.activeRequests, 0);
});

t.test('Server.listenAndServe() listens on its address and resolves after shutdown()', { timeout: 10_000 }, async (t) => {
  const { listen } = await import('../../src/net/index.js');
  const probe = await listen('tcp', '127.0.0.1:0');
  const port = (probe.addr as unknown as { port: number }).port;
  probe.close();
  const { Server } = await import('../../src/http/index.js');
  const { pino } = await import('pino');
  const srv = new Server({ addr: `127.0.0.1:${port}`, handler: (w) => w.write('via listenAndServe'), logger: pino({ level: 'silent' }) });
  const serving = srv.listenAndServe();
  let res = await request(`http://127.0.0.1:${port}/`).catch(() => null);
  for (let i = 0; i < 50 && res === null; i++) {
    await new Promise((r) => setTimeout(r, 20));
    res = await request(`http://127.0.0.1:${port}/`).catch(() => null);
  }
  t.equal(await res!.body.text(), 'via listenAndServe');
  await srv.shutdown();
  await t.resolves(serving, 'listenAndServe resolves once the server is shut down');
  await t.rejects(srv.serve(probe), { code: 'STRAND_ERR_SERVER_CLOSED' }, 'a shut-down server does not serve again');
});
