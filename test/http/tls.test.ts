/**
 * HTTPS in strand/http: a Server serving a `tls.listen` listener, `listenAndServeTLS` with
 * certificate files, the Server's `tls` option; requests through undici trusting the test CA.
 */
import t from 'tap';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { Server, listenAndServeTLS, type Request, type ResponseWriter } from '../../src/http/index.js';
import { LISTEN_CHANNEL, tls, type TCPAddr } from '../../src/net/index.js';
import { testCerts } from '../../load-tests/lib/certs.js';

function hello(w: ResponseWriter, r: Request): void {
  w.header().set('Content-Type', 'text/plain');
  w.write(`hello ${r.path} over ${(r.raw.socket as { encrypted?: boolean }).encrypted === true ? 'tls' : 'plain'}\n`);
}

/** The address of the next strand listener to start listening. */
function nextListen(): Promise<TCPAddr> {
  return new Promise((resolve) => {
    const on = (m: unknown): void => {
      unsubscribe(LISTEN_CHANNEL, on);
      resolve((m as { addr: TCPAddr }).addr);
    };
    subscribe(LISTEN_CHANNEL, on);
  });
}

t.test('Server.serve(tls.listen(...)): HTTPS through undici with the test CA', { timeout: 20_000 }, async (t) => {
  const c = await testCerts();
  const ln = await tls.listen('tcp', '127.0.0.1:0', { certificates: [{ cert: c.cert, key: c.key }] });
  const srv = new Server({ handler: hello });
  void srv.serve(ln);
  const agent = new Agent({ connect: { ca: c.ca, servername: 'localhost' } });
  t.teardown(async () => {
    srv.close();
    await agent.close();
  });
  const port = (ln.addr as TCPAddr).port;
  for (let i = 0; i < 3; i++) {
    const res = await request(`https://127.0.0.1:${port}/x${i}`, { dispatcher: agent });
    t.equal(res.statusCode, 200);
    t.equal(await res.body.text(), `hello /x${i} over tls\n`, 'keep-alive requests over one TLS connection');
  }
  // An untrusted client is refused, and the server goes on.
  const bad = await request(`https://127.0.0.1:${port}/`).then(
    () => null,
    (e: unknown) => e as Error & { code?: string },
  );
  t.equal(bad?.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  const again = await request(`https://127.0.0.1:${port}/after`, { dispatcher: agent });
  t.equal(await again.body.text(), 'hello /after over tls\n');
});

t.test('Server.listenAndServeTLS(certFile, keyFile, addr) and the Server tls option', { timeout: 20_000 }, async (t) => {
  const c = await testCerts();
  const dir = mkdtempSync(join(tmpdir(), 'strand-tls-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'cert.pem'), c.cert);
  writeFileSync(join(dir, 'key.pem'), c.key);
  const agent = new Agent({ connect: { ca: c.ca, servername: 'localhost' } });
  t.teardown(() => agent.close());

  const where = nextListen();
  const srv1 = new Server({ handler: hello });
  t.teardown(() => srv1.close());
  void srv1.listenAndServeTLS(join(dir, 'cert.pem'), join(dir, 'key.pem'), '127.0.0.1:0').catch(() => {});
  const addr = await where;
  const res = await request(`https://127.0.0.1:${addr.port}/files`, { dispatcher: agent });
  t.equal(await res.body.text(), 'hello /files over tls\n');
  const err = await listenAndServeTLS('127.0.0.1:0', join(dir, 'missing.pem'), join(dir, 'key.pem'), hello).then(
    () => null,
    (e: unknown) => e as NodeJS.ErrnoException,
  );
  t.equal(err?.code, 'ENOENT', 'listenAndServeTLS: a missing certificate file rejects');

  const srv = new Server({ handler: hello, tls: { cert: c.cert, key: c.key } });
  t.teardown(() => srv.close());
  const where2 = nextListen();
  void srv.listenAndServe('127.0.0.1:0').catch(() => {});
  const addr2 = await where2;
  const res2 = await request(`https://127.0.0.1:${addr2.port}/opt`, { dispatcher: agent });
  t.equal(await res2.body.text(), 'hello /opt over tls\n');
});
