import t from 'tap';
import { request } from 'undici';
import { ServeMux, HttpError, httpCodes, cleanPath } from '../../src/http/index.js';
import { kParams } from '../../src/http/_symbols.js';
import { startServer } from './_helpers.js';

function named(name: string) {
  return (w: import('../../src/http/index.js').ResponseWriter, r: import('../../src/http/index.js').Request) => {
    w.write(`${name} ${r.pattern} ${JSON.stringify(r[kParams] ?? [])}`);
  };
}

t.test('ServeMux routes Go 1.22 patterns: methods, wildcards, {$}, subtrees, hosts, precedence', { timeout: 10_000 }, async (t) => {
  const mux = new ServeMux();
  mux.handleFunc('/', named('root'));
  mux.handleFunc('/{$}', named('exact-root'));
  mux.handleFunc('GET /items/{id}', named('get-item'));
  mux.handleFunc('DELETE /items/{id}', named('del-item'));
  mux.handleFunc('GET /items/new', named('new-item'));
  mux.handleFunc('/files/{path...}', named('files'));
  mux.handleFunc('/static/', named('static'));
  mux.handleFunc('/static/{$}', named('static-index'));
  mux.handleFunc('example.com/', named('host'));
  mux.handleFunc('/users/{name}/posts/{id}', named('post'));
  const { srv, base } = await startServer(mux);
  const cases: [string, string, Record<string, string>, number, string][] = [
    ['GET', '/', {}, 200, 'exact-root /{$} []'],
    ['GET', '/anything/else', {}, 200, 'root / []'],
    ['GET', '/items/42', {}, 200, 'get-item GET /items/{id} ["id","42"]'],
    ['HEAD', '/items/42', {}, 200, ''],
    ['DELETE', '/items/42', {}, 200, 'del-item DELETE /items/{id} ["id","42"]'],
    ['GET', '/items/new', {}, 200, 'new-item GET /items/new []'],
    ['GET', '/items/a%20b', {}, 200, 'get-item GET /items/{id} ["id","a b"]'],
    ['GET', '/files/a/b/c.txt', {}, 200, 'files /files/{path...} ["path","a/b/c.txt"]'],
    ['GET', '/static/', {}, 200, 'static-index /static/{$} []'],
    ['GET', '/static/css/x.css', {}, 200, 'static /static/ []'],
    ['GET', '/users/ann/posts/7', {}, 200, 'post /users/{name}/posts/{id} ["name","ann","id","7"]'],
    ['GET', '/items/42', { host: 'example.com' }, 200, 'host example.com/ []'],
  ];
  for (const [method, path, headers, status, body] of cases) {
    const res = await request(base + path, { method: method as 'GET', headers });
    t.equal(res.statusCode, status, `${method} ${path} status`);
    t.equal(await res.body.text(), body, `${method} ${path} → ${body}`);
  }
  await srv.shutdown();
});

t.test('ServeMux answers 404, 405 with Allow, and redirects /dir to /dir/ and unclean paths', { timeout: 10_000 }, async (t) => {
  const mux = new ServeMux();
  mux.handleFunc('GET /things/{id}', named('get'));
  mux.handleFunc('PUT /things/{id}', named('put'));
  mux.handleFunc('/dir/', named('dir'));
  const { srv, base, port } = await startServer(mux);
  const nf = await request(`${base}/nothing`);
  t.equal(nf.statusCode, 404);
  t.equal(await nf.body.text(), '404 page not found\n');
  const na = await request(`${base}/things/1`, { method: 'POST' });
  t.equal(na.statusCode, 405);
  t.equal(na.headers.allow, 'GET, HEAD, PUT');
  t.equal(await na.body.text(), 'Method Not Allowed\n');
  const rd = await request(`${base}/dir?x=1`);
  t.equal(rd.statusCode, 301);
  t.equal(rd.headers.location, '/dir/?x=1');
  await rd.body.dump();
  // undici normalizes dot segments, so send this one raw.
  const net = await import('node:net');
  const raw = await new Promise<string>((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => s.write('GET /dir/./a//b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
    let out = '';
    s.on('data', (d) => (out += d));
    s.on('close', () => resolve(out));
  });
  t.match(raw, /^HTTP\/1\.1 301 /);
  t.match(raw, /\r\nLocation: \/dir\/a\/b\r\n/i);
  await srv.shutdown();
});

t.test('ServeMux.handle() throws on conflicting or duplicate patterns, like Go panics', { timeout: 10_000 }, async (t) => {
  let mux = new ServeMux();
  mux.handleFunc('GET /', named('a'));
  const conflict = (p: string) => {
    try {
      mux.handleFunc(p, named('x'));
      return null;
    } catch (err) {
      return err as HttpError;
    }
  };
  const e1 = conflict('/index.html');
  t.ok(e1 instanceof HttpError);
  t.equal(e1?.code, httpCodes.PATTERN_CONFLICT);
  t.match(e1?.message, /^http: pattern "\/index\.html" conflicts with pattern "GET \/"/);
  t.equal(conflict('GET /')?.code, httpCodes.PATTERN_CONFLICT, 'duplicate');
  mux = new ServeMux();
  mux.handleFunc('/posts/{id}', named('p'));
  t.equal(conflict('/{resource}/latest')?.code, httpCodes.PATTERN_CONFLICT, 'Go doc example: neither is more specific');
  t.equal(conflict('/posts/latest'), null, 'a more specific pattern is fine');
  t.equal(conflict('other.com/'), null, 'different hosts never conflict');
  for (const bad of ['', 'GET', '/a/{x', '/a/x{y}', '/{$}/b', '/{a...}/b', '/{x}/{x}', 'G(T /']) {
    t.equal(conflict(bad)?.code, httpCodes.PATTERN, `invalid pattern ${JSON.stringify(bad)}`);
  }
});

t.test('cleanPath() removes dot segments and repeated slashes', async (t) => {
  t.equal(cleanPath('/a/./b/../c//d/'), '/a/c/d/');
  t.equal(cleanPath('/../x'), '/x');
  t.equal(cleanPath('/a/..'), '/');
  t.equal(cleanPath('/plain'), '/plain');
});
