/**
 * The Fastify plugin's WebSocket routes: `app.strand.websocket(path, handler)` — upgrades go
 * through Fastify's router and hooks, echo, a refused origin (403), a plain GET (426), app.close()
 * closing open connections with 1001.
 */
import t from 'tap';
import { fastify } from 'fastify';
import { WebSocket } from 'ws';
import { strand } from '../../src/http/fastify/index.js';

function open(url: string, opts: ConstructorParameters<typeof WebSocket>[2] = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, opts);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`status ${res.statusCode}`), { status: res.statusCode })));
  });
}

t.test('app.strand.websocket: echo through Fastify routing and hooks; 403, 426, 404; app.close() sends 1001', { timeout: 20_000 }, async (t) => {
  const app = fastify();
  await app.register(strand);
  const hooked: string[] = [];
  app.addHook('onRequest', async (req, reply) => {
    hooked.push(req.url);
    if (req.headers['x-deny'] === '1') await reply.code(401).send('no');
  });
  app.strand.websocket('/ws/:room', async (conn, request) => {
    const room = (request.params as { room: string }).room;
    for (let m = await conn.readMessage(); m !== null; m = await conn.readMessage()) {
      await conn.writeMessage('text', `${room}: ${String(m.data)}`);
    }
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as { port: number }).port;
  let closedByApp = false;
  t.teardown(async () => {
    if (!closedByApp) await app.close();
  });

  const c = await open(`ws://127.0.0.1:${port}/ws/lobby`);
  const got = new Promise<string>((r) => c.once('message', (d: Buffer) => r(d.toString())));
  c.send('hi');
  t.equal(await got, 'lobby: hi', 'echo with the route param');
  t.ok(hooked.includes('/ws/lobby'), 'the onRequest hook ran for the upgrade');

  const denied = await open(`ws://127.0.0.1:${port}/ws/lobby`, { headers: { 'x-deny': '1' } }).then(
    () => 0,
    (e: { status: number }) => e.status,
  );
  t.equal(denied, 401, 'a hook can refuse the upgrade');
  const evil = await open(`ws://127.0.0.1:${port}/ws/lobby`, { origin: 'https://evil.example' }).then(
    () => 0,
    (e: { status: number }) => e.status,
  );
  t.equal(evil, 403, 'a foreign origin is refused');
  const nf = await open(`ws://127.0.0.1:${port}/nope`).then(
    () => 0,
    (e: { status: number }) => e.status,
  );
  t.equal(nf, 404);
  const plain = await fetch(`http://127.0.0.1:${port}/ws/lobby`);
  t.equal(plain.status, 426, 'a plain GET gets 426');
  await plain.text();

  const end = new Promise<number>((r) => c.once('close', (code: number) => r(code)));
  closedByApp = true;
  await app.close();
  t.equal(await end, 1001, 'app.close() closes open connections with 1001');
});
