/**
 * httptest: the recorder and newRequest against ServeMux patterns (a wildcard, 404, 405 with
 * Allow), request bodies, and newServer over real HTTP.
 */
import t from 'tap';
import { ServeMux, get, type Request, type ResponseWriter } from '../../src/http/index.js';
import { httptest } from '../../src/testing/index.js';

const opts = { timeout: 15_000 };

function itemsMux(): ServeMux {
  const mux = new ServeMux();
  mux.handleFunc('GET /items/{id}', (w: ResponseWriter, r: Request) => {
    w.header().set('Content-Type', 'application/json');
    w.write(JSON.stringify({ id: r.pathValue('id') }));
  });
  mux.handleFunc('POST /items', async (w: ResponseWriter, r: Request) => {
    const body = await r.json<{ name: string }>();
    w.writeHeader(201);
    w.write(`created ${body.name}`);
  });
  return mux;
}

t.test('httptest.newRecorder(): GET /items/{id} through a ServeMux', opts, async (t) => {
  const rec = httptest.newRecorder();
  await itemsMux().serveHTTP(rec, httptest.newRequest('GET', '/items/42'));
  t.equal(rec.code, 200);
  t.equal(rec.headerMap['content-type'], 'application/json');
  t.same(JSON.parse(rec.text), { id: '42' });
});

t.test('httptest.newRecorder(): a path no pattern matches is a 404', opts, async (t) => {
  const rec = httptest.newRecorder();
  await itemsMux().serveHTTP(rec, httptest.newRequest('GET', '/nothing/here'));
  t.equal(rec.code, 404);
  t.match(rec.text, /404 page not found/);
});

t.test('httptest.newRecorder(): a method no pattern allows is a 405 with Allow', opts, async (t) => {
  const rec = httptest.newRecorder();
  await itemsMux().serveHTTP(rec, httptest.newRequest('DELETE', '/items/42'));
  t.equal(rec.code, 405);
  const allow = String(rec.headerMap['allow']);
  t.match(allow, /GET/);
  t.match(allow, /HEAD/);
});

t.test('httptest.newRequest(): a body is readable by the handler', opts, async (t) => {
  const rec = httptest.newRecorder();
  const r = httptest.newRequest('post', '/items', JSON.stringify({ name: 'gopher' }));
  t.equal(r.method, 'POST');
  t.equal(r.headers['content-length'], '17');
  await itemsMux().serveHTTP(rec, r);
  t.equal(rec.code, 201);
  t.equal(rec.text, 'created gopher');
});

t.test('httptest.newRequest(): host and URL, like Go', opts, async (t) => {
  const r = httptest.newRequest('GET', '/search?q=go');
  t.equal(r.host, 'example.com');
  t.equal(r.url.searchParams.get('q'), 'go');
  const abs = httptest.newRequest('GET', 'http://api.test:8080/v1/x');
  t.equal(abs.host, 'api.test:8080');
  t.equal(abs.path, '/v1/x');
  t.equal(r.context().err(), null, 'a live context');
});

t.test('httptest.newRecorder(): a handler called directly, with an implicit 200', opts, async (t) => {
  const rec = httptest.newRecorder();
  const hello = (w: ResponseWriter): void => {
    w.write('hello');
  };
  hello(rec);
  t.equal(rec.code, 200);
  t.equal(rec.text, 'hello');
  t.equal(rec.headerMap['content-type'], 'text/plain; charset=utf-8');
  t.ok(rec.flushed);
});

t.test('httptest.newServer(): a real server on 127.0.0.1 with a ServeMux', opts, async (t) => {
  const ts = await httptest.newServer(itemsMux());
  t.match(ts.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  try {
    const ok = await get(`${ts.url}/items/7`);
    t.equal(ok.status, 200);
    t.same(JSON.parse(await ok.text()), { id: '7' });
    const nf = await get(`${ts.url}/missing`);
    t.equal(nf.status, 404);
    await nf.text();
    const bad = await fetch(`${ts.url}/items/7`, { method: 'PUT' });
    t.equal(bad.status, 405);
    t.match(bad.headers.get('allow') ?? '', /GET/);
    await bad.text();
  } finally {
    await ts.close();
  }
  await t.rejects(fetch(`${ts.url}/items/7`), 'closed: the port no longer answers');
});

t.test('httptest.newServer(): await using closes it', opts, async (t) => {
  let url = '';
  {
    await using ts = await httptest.newServer((w: ResponseWriter) => void w.write('hi'));
    url = ts.url;
    const res = await fetch(url);
    t.equal(await res.text(), 'hi');
  }
  await t.rejects(fetch(url));
});
