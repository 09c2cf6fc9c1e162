// Go's net/http contract, checked with exact bytes over node:net on 127.0.0.1: ServeMux routing
// of absolute-form targets, escaped redirect locations, Expect: 100-continue, HEAD and HTTP/1.0.
import t from 'tap';
import { ServeMux } from '../../src/http/index.js';
import { startServer } from '../http/_helpers.js';
import { RawConn } from './_raw.js';

function mux(): ServeMux {
  const m = new ServeMux();
  m.handleFunc('/hello', (w, r) => {
    w.write(`hello ${r.path} for ${r.host}`);
  });
  m.handleFunc('GET /small', (w) => {
    w.write('small body'); // 10 bytes
  });
  m.handleFunc('GET /empty', () => {});
  m.handleFunc('POST /upload', async (w, r) => {
    const b = await r.text();
    w.write(`got ${b.length}`);
  });
  m.handleFunc('POST /ignore', (w) => {
    w.writeHeader(403);
    w.write('no');
  });
  return m;
}

t.test('ServeMux routes an absolute-form target by its path (no redirect to /http:/...)', { timeout: 10_000 }, async (t) => {
  const { srv, port } = await startServer(mux());
  const c = await RawConn.open(port);
  c.send('GET http://evil.example/hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  const res = await c.next();
  t.equal(res.status, 200, 'served, not redirected');
  t.equal(res.headers.location, undefined);
  t.equal(res.body, 'hello /hello for evil.example', 'the path is /hello; the target authority is the host (RFC 9112 §3.2.2, as Go)');
  c.send('GET http://evil.example/./hello?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  const red = await c.next();
  t.equal(red.status, 301);
  t.equal(red.headers.location, '/hello?x=1', 'an unclean absolute-form path redirects to its clean path, not to /http:/...');
  c.sock.destroy();
  await srv.shutdown();
});

t.test('ServeMux escapes redirect locations as Go does: /./\\evil.example → /%5Cevil.example', { timeout: 10_000 }, async (t) => {
  const { srv, port } = await startServer(mux());
  const c = await RawConn.open(port);
  c.send('GET /./\\evil.example HTTP/1.1\r\nHost: x\r\n\r\n');
  const res = await c.next();
  t.equal(res.status, 301);
  t.equal(res.headers.location, '/%5Cevil.example', 'never /\\evil.example (a browser reads /\\ as //)');
  c.send('GET //\\\\evil.example/%41/./x HTTP/1.1\r\nHost: x\r\n\r\n');
  const res2 = await c.next();
  t.equal(res2.headers.location, '/%5C%5Cevil.example/%41/x', 'repeated slashes collapsed, backslashes escaped, existing escapes kept');
  t.notMatch(res2.headers.location, /^\/\//, 'never protocol-relative');
  c.sock.destroy();
  await srv.shutdown();
});

t.test('Expect: 100-continue: the 100 is sent on the first body read only', { timeout: 10_000 }, async (t) => {
  const { srv, port } = await startServer(mux());
  // A handler that reads: 100 Continue, then the body, then the response; the connection stays.
  const c = await RawConn.open(port);
  c.send('POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n');
  while (!c.pending.includes('\r\n\r\n')) await c.news();
  t.match(c.pending, /^HTTP\/1\.1 100 Continue\r\n\r\n$/, 'the handler read the body: 100 Continue, and nothing else yet');
  c.send('hello');
  const res = await c.next();
  t.same(res.interim, [100]);
  t.equal(res.status, 200);
  t.equal(res.body, 'got 5');
  t.not(res.headers.connection, 'close', 'the body was read: the connection is kept');
  c.sock.destroy();

  // A handler that never reads (a 403) and a path with no handler (a 404): no 100 at all.
  for (const path of ['/ignore', '/nowhere']) {
    const d = await RawConn.open(port);
    d.send(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n`);
    const r = await d.next();
    t.same(r.interim, [], `${path}: no 100 Continue`);
    t.equal(r.status, path === '/ignore' ? 403 : 404);
    t.equal(r.headers.connection, 'close', `${path}: the unsent body leaves the connection unusable, so it is closed (Go)`);
    await d.closed;
  }
  await srv.shutdown();
});

t.test('HEAD carries the Content-Length the GET would have', { timeout: 10_000 }, async (t) => {
  const { srv, port } = await startServer(mux());
  const c = await RawConn.open(port);
  c.send('GET /small HTTP/1.1\r\nHost: x\r\n\r\n');
  const get = await c.next();
  c.send('HEAD /small HTTP/1.1\r\nHost: x\r\n\r\n');
  const head = await c.next(true);
  t.equal(get.headers['content-length'], '10');
  t.equal(head.headers['content-length'], '10', 'HEAD: same Content-Length as the GET');
  t.equal(head.status, 200);
  c.send('HEAD /empty HTTP/1.1\r\nHost: x\r\n\r\n');
  const empty = await c.next(true);
  t.equal(empty.headers['content-length'], undefined, 'HEAD of an empty body: none (Go: the handler may not have written it)');
  c.send('GET /small HTTP/1.1\r\nHost: x\r\n\r\n');
  t.equal((await c.next()).body, 'small body', 'the connection is still in sync after the HEADs');
  c.sock.destroy();
  await srv.shutdown();
});

t.test('HTTP/1.0: Content-Length when known, keep-alive honoured when asked', { timeout: 10_000 }, async (t) => {
  const { srv, port } = await startServer(mux());
  const plain = await RawConn.open(port);
  plain.send('GET /small HTTP/1.0\r\n\r\n');
  const r0 = await plain.next();
  t.equal(r0.headers['content-length'], '10', 'HTTP/1.0 response carries Content-Length');
  t.equal(r0.headers.connection, 'close', 'no keep-alive asked: closed');
  await plain.closed;

  const ka = await RawConn.open(port);
  ka.send('GET /small HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
  const r1 = await ka.next();
  t.equal(r1.headers['content-length'], '10');
  t.match(r1.headers.connection, /keep-alive/i, 'keep-alive honoured');
  ka.send('GET /empty HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
  const r2 = await ka.next();
  t.equal(r2.headers['content-length'], '0', 'an empty body has Content-Length: 0');
  t.match(r2.headers.connection, /keep-alive/i);
  ka.send('GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
  t.match((await ka.next()).body, /^hello \/hello/, 'third request on the same HTTP/1.0 connection');
  t.equal(ka.isClosed, false, 'still open');
  ka.sock.destroy();
  await srv.shutdown();
});
