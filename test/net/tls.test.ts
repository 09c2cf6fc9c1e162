/**
 * strand/net's tls: echo over TLS, half-close, a refused certificate (unknown authority, wrong
 * name) as a typed error, handshake deadlines against a peer that never speaks, Go's config
 * names. Certificates are made at test time (load-tests/lib/certs.ts).
 */
import t from 'tap';
import { connect as rawConnect, createServer } from 'node:net';
import { go } from '../../src/runtime/index.js';
import { ErrDeadlineExceeded, OpError, TLSConn, TLSHandshakeError, copy, errorIs, listen, netCodes, tls } from '../../src/net/index.js';
import { testCerts } from '../../load-tests/lib/certs.js';
import { drain } from './_helpers.js';

t.test('tls.listen/dial: echo over TLS with a test CA, lazy handshake, half-close', { timeout: 20_000 }, async (t) => {
  const c = await testCerts();
  const ln = await tls.listen('tcp', '127.0.0.1:0', { certificates: [{ cert: c.cert, key: c.key }], nextProtos: ['echo/1'] });
  t.teardown(() => ln.close());
  go(async () => {
    const conn = await ln.accept();
    await copy(conn, conn);
    conn.closeWrite();
  });
  const conn = await tls.dial('tcp', String(ln.addr), { rootCAs: c.ca, serverName: 'localhost', nextProtos: ['echo/1'] });
  t.ok(conn instanceof TLSConn, 'a TLSConn');
  const st = conn.connectionState();
  t.ok(st.handshakeComplete, 'dial completed the handshake');
  t.match(st.version, /^TLSv1\.[23]$/);
  t.equal(st.negotiatedProtocol, 'echo/1', 'ALPN (nextProtos)');
  const big = Buffer.alloc(300_000, 7);
  go(async () => {
    await conn.write(Buffer.from('hello '));
    await conn.write(big);
    conn.closeWrite();
  });
  const got = await drain(conn);
  t.equal(got.length, 6 + big.length, 'everything echoed, then end of stream after closeWrite');
  t.equal(got.subarray(0, 6).toString(), 'hello ');
  conn.close();
});

t.test('tls.dial: an untrusted CA is refused with a typed error naming the peer', { timeout: 20_000 }, async (t) => {
  const c = await testCerts();
  const ln = await tls.listen('tcp', '127.0.0.1:0', { cert: c.cert, key: c.key });
  t.teardown(() => ln.close());
  go(async () => {
    for (;;) {
      let conn;
      try {
        conn = await ln.accept();
      } catch {
        return;
      }
      go(async () => {
        try {
          await conn.read(Buffer.alloc(10));
        } catch {
          // the client refused us
        }
        conn.close();
      });
    }
  });
  const err = await tls.dial('tcp', String(ln.addr), { serverName: 'localhost' }).then(
    () => null,
    (e: unknown) => e,
  );
  t.ok(err instanceof OpError, 'an OpError');
  const e = err as OpError;
  t.equal(e.op, 'dial');
  t.equal(e.code, netCodes.TLS_CERT, 'code STRAND_ERR_NET_TLS_CERT');
  t.ok(e.cause instanceof TLSHandshakeError);
  t.equal((e.cause as TLSHandshakeError).reason, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  t.match(e.message, new RegExp(`^net: dial tcp 127\\.0\\.0\\.1:\\d+->${String(ln.addr).replace(/\./g, "\\.")}: tls: failed to verify certificate`), "names both ends");

  const wrong = await tls.dial('tcp', String(ln.addr), { rootCAs: c.ca, serverName: 'example.com' }).then(
    () => null,
    (e: unknown) => e as OpError,
  );
  t.equal(wrong?.code, netCodes.TLS_CERT, 'a wrong name is a certificate error too');
  t.equal((wrong?.cause as TLSHandshakeError).reason, 'ERR_TLS_CERT_ALTNAME_INVALID');

  const skip = await tls.dial('tcp', String(ln.addr), { insecureSkipVerify: true });
  t.ok(skip.connectionState().handshakeComplete, 'insecureSkipVerify accepts it');
  skip.close();
});

t.test('TLSConn.handshake: the read deadline bounds it against a peer that never speaks', { timeout: 20_000 }, async (t) => {
  const c = await testCerts();
  const ln = await tls.listen('tcp', '127.0.0.1:0', { certificates: [{ cert: c.cert, key: c.key }] });
  t.teardown(() => ln.close());
  const port = Number(String(ln.addr).split(':')[1]);
  const silent = rawConnect({ port, host: '127.0.0.1' });
  silent.on('error', () => {});
  t.teardown(() => silent.destroy());
  const conn = (await ln.accept()) as TLSConn;
  t.notOk(conn.connectionState().handshakeComplete, 'accept does not wait for the handshake');
  conn.setDeadline(Date.now() + 150);
  const t0 = Date.now();
  const err = await Promise.resolve()
    .then(() => conn.handshake())
    .then(
      () => null,
      (e: unknown) => e as OpError,
    );
  t.ok(err instanceof OpError && err.timeout(), 'a timeout');
  t.equal(err?.op, 'handshake');
  t.ok(errorIs(err, ErrDeadlineExceeded));
  t.ok(Date.now() - t0 >= 100, 'after the deadline');
  const again = await Promise.resolve()
    .then(() => conn.handshake())
    .then(
      () => null,
      (e: unknown) => e,
    );
  t.equal(again, err, 'a failed handshake is sticky');
  conn.close();
});

t.test('tls.dial: timeout bounds the handshake with a server that never answers', { timeout: 20_000 }, async (t) => {
  const held: import('node:net').Socket[] = [];
  const srv = createServer((s) => held.push(s));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    for (const s of held) s.destroy();
    srv.close();
  });
  const port = (srv.address() as { port: number }).port;
  const err = await tls.dial('tcp', `127.0.0.1:${port}`, { timeout: 200, insecureSkipVerify: true }).then(
    () => null,
    (e: unknown) => e as OpError,
  );
  t.ok(err instanceof OpError && err.timeout(), 'dial timed out in the handshake');
  t.equal(err?.op, 'dial');
});

t.test('TLSConn: a plain-TCP peer fails the server handshake with STRAND_ERR_NET_TLS_HANDSHAKE', { timeout: 20_000 }, async (t) => {
  const c = await testCerts();
  const ln = await tls.listen('tcp', '127.0.0.1:0', { certificates: [{ cert: c.cert, key: c.key }] });
  t.teardown(() => ln.close());
  const port = Number(String(ln.addr).split(':')[1]);
  const plain = rawConnect({ port, host: '127.0.0.1' }, () => plain.write('GET / HTTP/1.1\r\n\r\n'));
  plain.on('error', () => {});
  t.teardown(() => plain.destroy());
  const conn = (await ln.accept()) as TLSConn;
  const err = await Promise.resolve()
    .then(() => conn.read(Buffer.alloc(16)))
    .then(
      () => null,
      (e: unknown) => e as OpError,
    );
  t.ok(err instanceof OpError, 'the read fails');
  t.equal(err?.code, netCodes.TLS_HANDSHAKE);
  t.match(err?.message ?? '', /^net: read tcp 127\.0\.0\.1:\d+->127\.0\.0\.1:\d+: tls: handshake failed/, 'names both ends');
  conn.close();
});

t.test('tls.listen: a config without a certificate is refused', { timeout: 5_000 }, async (t) => {
  const err = await tls.listen('tcp', '127.0.0.1:0', {}).then(
    () => null,
    (e: unknown) => e as OpError,
  );
  t.equal(err?.code, netCodes.TLS_CONFIG);
  // plain listen is unaffected
  const ln = await listen('tcp', '127.0.0.1:0');
  ln.close();
});

t.test('TLSConn: a peer that does not read parks the TLS writer (flow control through TLS)', { timeout: 20_000 }, async (t) => {
  const c = await testCerts();
  const ln = await tls.listen('tcp', '127.0.0.1:0', { certificates: [{ cert: c.cert, key: c.key }] });
  t.teardown(() => ln.close());
  const accepted = ln.accept();
  const client = await tls.dial('tcp', String(ln.addr), { rootCAs: c.ca, serverName: 'localhost' });
  const server = (await accepted) as TLSConn;
  await server.handshake();
  t.teardown(() => {
    client.close();
    server.close();
  });
  const chunk = Buffer.alloc(64 * 1024, 1);
  let sent = 0;
  client.setWriteDeadline(Date.now() + 400);
  const err = await (async () => {
    try {
      for (;;) {
        await client.write(chunk);
        sent += chunk.length;
      }
    } catch (e) {
      return e as OpError;
    }
  })();
  t.ok(err instanceof OpError && err.timeout(), 'the writer parked until its deadline');
  t.ok(sent < 64 * 1024 * 1024, `the server's TLS socket stopped reading: ${(sent / 1048576).toFixed(1)} MiB were written before the writer parked`);
  // The server reads what was sent: the data was held back, not lost.
  client.close();
  const got = await drain(server).catch(() => Buffer.alloc(0));
  t.ok(got.length >= sent, `the server then reads all of it (${got.length} ≥ ${sent})`);
});
