/**
 * strand/http's websocket: upgrade inside the Server through the same handler (ServeMux),
 * echo of text and binary, close codes both ways, maxPayload, the origin check, a plain GET
 * refused with 426, backpressure (a writer parks on a peer that does not read, bounded in bytes),
 * deadlines, keepalive against a peer that never answers pings, shutdown closing connections.
 */
import t from 'tap';
import { connect } from 'node:net';
import { WebSocket } from 'ws';
import { ServeMux, websocket, httpCodes, type HttpError, type Request, type ResponseWriter, type WebSocketConn } from '../../src/http/index.js';
import { chan, type Chan } from '../../src/runtime/index.js';
import { startServer } from './_helpers.js';

function open(url: string, opts: ConstructorParameters<typeof WebSocket>[2] = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, opts);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`status ${res.statusCode}`), { status: res.statusCode })));
  });
}

function nextMessage(ws: WebSocket): Promise<{ data: Buffer; isBinary: boolean }> {
  return new Promise((resolve) => ws.once('message', (data: Buffer, isBinary: boolean) => resolve({ data, isBinary })));
}

function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => ws.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })));
}

async function echo(w: ResponseWriter, r: Request): Promise<void> {
  const ws = websocket.accept(w, r, { maxPayload: 1024 });
  for (let m = await ws.readMessage(); m !== null; m = await ws.readMessage()) {
    if (m.type === 'text' && m.data === 'close please') {
      ws.close(4000, 'as asked');
      continue;
    }
    await ws.writeMessage(m.type, m.data);
  }
  ends.trySend({ code: ws.closeCode, reason: ws.closeReason });
}
let ends: Chan<{ code: number; reason: string }> = chan(10);

t.test('websocket.accept: echo through a ServeMux route, close codes both ways, maxPayload', { timeout: 20_000 }, async (t) => {
  ends = chan(10);
  const mux = new ServeMux();
  mux.handleFunc('GET /ws/{room}', echo);
  const ts = await startServer(mux);
  t.teardown(() => ts.srv.close());
  const url = `ws://127.0.0.1:${ts.port}/ws/lobby`;

  const c = await open(url);
  c.send('hello');
  let m = await nextMessage(c);
  t.same([m.data.toString(), m.isBinary], ['hello', false], 'text echoed');
  c.send(Buffer.from([1, 2, 3]));
  m = await nextMessage(c);
  t.same([[...m.data], m.isBinary], [[1, 2, 3], true], 'binary echoed');
  const gone = closed(c);
  c.close(4001, 'bye');
  await gone;
  t.same(await ends.recv(), { code: 4001, reason: 'bye' }, "the peer's code and reason are visible");

  const c2 = await open(url);
  const g2 = closed(c2);
  c2.send('close please');
  t.same(await g2, { code: 4000, reason: 'as asked' }, 'close(code, reason) reaches the client');
  await ends.recv();

  const c3 = await open(url);
  const g3 = closed(c3);
  c3.send(Buffer.alloc(2048));
  t.equal((await g3).code, 1009, 'a message over maxPayload closes with 1009');
  await ends.recv();

  const res = await fetch(`http://127.0.0.1:${ts.port}/ws/lobby`);
  t.equal(res.status, 426, 'a plain GET gets 426 Upgrade Required');
  await res.text();
  const nf = await open(`ws://127.0.0.1:${ts.port}/nowhere`).then(
    () => 0,
    (e: { status: number }) => e.status,
  );
  t.equal(nf, 404, 'an upgrade to an unknown route gets the mux 404');
});

t.test('websocket.accept: the origin check (same origin, allowOrigins, refused with 403)', { timeout: 20_000 }, async (t) => {
  const ts = await startServer((w, r) => {
    const ws = websocket.accept(w, r, { allowOrigins: ['app.example.com'] });
    ws.close();
  });
  t.teardown(() => ts.srv.close());
  const url = `ws://127.0.0.1:${ts.port}/`;
  const same = await open(url, { origin: `http://127.0.0.1:${ts.port}` });
  same.terminate();
  const listed = await open(url, { origin: 'https://app.example.com' });
  listed.terminate();
  const evil = await open(url, { origin: 'https://evil.example.com' }).then(
    () => 0,
    (e: { status: number }) => e.status,
  );
  t.equal(evil, 403, 'a foreign origin is refused');
  t.notOk(ts.logs.some((l) => l.level === 50), 'not logged as a panic');
});

t.test('WebSocketConn.writeMessage parks on a peer that does not read; deadlines end it', { timeout: 20_000 }, async (t) => {
  const result: Chan<{ sent: number; buffered: number; err: HttpError | null; readErr: HttpError | null }> = chan(1);
  const ts = await startServer(async (w, r) => {
    const ws = websocket.accept(w, r, { writeBufferBytes: 64 * 1024 });
    const chunk = Buffer.alloc(16 * 1024, 1);
    let sent = 0;
    let buffered = 0;
    let err: HttpError | null = null;
    ws.setWriteDeadline(Date.now() + 500);
    try {
      for (;;) {
        await ws.writeMessage('binary', chunk);
        sent += chunk.length;
        buffered = Math.max(buffered, ws.bufferedAmount);
      }
    } catch (e) {
      err = e as HttpError;
    }
    ws.setReadDeadline(Date.now() + 50);
    let readErr: HttpError | null = null;
    try {
      await ws.readMessage();
    } catch (e) {
      readErr = e as HttpError;
    }
    result.trySend({ sent, buffered, err, readErr });
    ws.terminate();
  });
  t.teardown(() => ts.srv.close());
  // A raw client: the handshake, then never reads.
  const sock = connect(ts.port, '127.0.0.1');
  sock.on('error', () => {});
  t.teardown(() => sock.destroy());
  sock.write(
    `GET / HTTP/1.1\r\nHost: 127.0.0.1:${ts.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  );
  sock.once('data', () => sock.pause());
  const r = (await result.recv())!;
  t.equal(r.err?.code, httpCodes.WS_TIMEOUT, 'the parked write fails at the write deadline');
  t.ok(r.sent < 16 * 1024 * 1024, `the writer parked (sent ${r.sent} bytes before the deadline)`);
  t.ok(r.buffered <= 64 * 1024 + 16 * 1024, `ws held at most the bound plus one message (${r.buffered})`);
  t.equal(r.readErr?.code, httpCodes.WS_TIMEOUT, 'a parked read fails at the read deadline');
});

t.test('WebSocketConn: pingInterval drops a peer that never answers; shutdown closes with 1001', { timeout: 20_000 }, async (t) => {
  const codes: Chan<number> = chan(4);
  let conn: WebSocketConn | null = null;
  const ts = await startServer(async (w, r) => {
    const ws = websocket.accept(w, r, { pingInterval: r.path === '/ping' ? 50 : 0 });
    conn = ws;
    while ((await ws.readMessage()) !== null);
    codes.trySend(ws.closeCode);
  });
  const sock = connect(ts.port, '127.0.0.1');
  sock.on('error', () => {});
  t.teardown(() => sock.destroy());
  sock.write(
    `GET /ping HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  );
  t.equal(await codes.recv(), 1006, 'a peer that never pongs is terminated (1006)');
  t.ok(conn !== null);

  const c = await open(`ws://127.0.0.1:${ts.port}/other`);
  const g = closed(c);
  await ts.srv.shutdown();
  t.equal((await g).code, 1001, 'shutdown closes open WebSockets with 1001 (going away)');
});
