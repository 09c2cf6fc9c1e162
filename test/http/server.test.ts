import t from 'tap';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { chan, recvCase, select, goroutines, cause } from '../../src/runtime/index.js';
import { ErrClientGone, ServeMux, type Request, type ResponseWriter } from '../../src/http/index.js';
import { connect } from 'node:net';
import { startServer, rawConnect, readUntilClose } from './_helpers.js';

t.test('handlers talk through channels: a long-poll GET waits until a POST sends', { timeout: 10_000 }, async (t) => {
  const msgs = chan<string>();
  const mux = new ServeMux();
  mux.handleFunc('GET /poll', async (w) => {
    const m = await msgs.recv();
    w.write(`got ${m}`);
  });
  mux.handleFunc('POST /send', async (w, r) => {
    await msgs.send(await r.text());
    w.writeHeader(204);
  });
  const { srv, base } = await startServer(mux);
  const poll = request(`${base}/poll`);
  // The GET is parked in its handler; the POST completes the rendezvous.
  const sent = await request(`${base}/send`, { method: 'POST', body: 'hello' });
  t.equal(sent.statusCode, 204);
  await sent.body.dump();
  const res = await poll;
  t.equal(res.statusCode, 200);
  t.equal(await res.body.text(), 'got hello');
  await srv.shutdown();
});

t.test('Request.context() is cancelled with ErrClientGone when the client aborts', { timeout: 10_000 }, async (t) => {
  const started = chan<void>(1);
  const result = chan<Error | null>(1);
  const never = chan<string>();
  const { srv, base } = await startServer(async (w: ResponseWriter, r: Request) => {
    const ctx = r.context();
    started.trySend(undefined);
    const i = await select([recvCase(never), recvCase(ctx.done())]);
    t.equal(i, 1, 'the done case fired');
    await result.send(cause(ctx));
  });
  const ac = new AbortController();
  const p = request(base, { signal: ac.signal });
  await started.recv();
  ac.abort();
  await t.rejects(p);
  const why = await result.recv();
  t.equal(why, ErrClientGone, 'the cause says the client left');
  await srv.shutdown();
});

t.test('ResponseWriter.flush() streams what was written before the handler returns', { timeout: 10_000 }, async (t) => {
  const next = chan<void>();
  const { srv, base } = await startServer(async (w) => {
    w.header().set('Content-Type', 'text/plain');
    w.write('first\n');
    w.flush();
    await next.recv();
    w.write('second\n');
  });
  const res = await request(base);
  t.equal(res.headers['transfer-encoding'], 'chunked');
  const it = res.body[Symbol.asyncIterator]();
  const first = await it.next();
  t.equal(String(first.value), 'first\n', 'the first chunk arrives while the handler is still running');
  await next.send();
  let rest = '';
  for (let c = await it.next(); !c.done; c = await it.next()) rest += String(c.value);
  t.equal(rest, 'second\n');
  await srv.shutdown();
});

t.test('ResponseWriter.write() parks on backpressure when the client does not read', { timeout: 15_000 }, async (t) => {
  let written = 0;
  const ended = chan<unknown>(1);
  const chunk = Buffer.alloc(64 * 1024, 'x');
  const { srv, port } = await startServer(async function bigWriter(w) {
    try {
      for (;;) {
        await w.write(chunk);
        written += chunk.length;
      }
    } catch (err) {
      ended.trySend(err);
    }
  });
  const sock = await rawConnect(port);
  sock.pause(); // never read
  sock.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  // Wait until the handler goroutine is parked in "IO wait" (backpressure).
  let parked = false;
  for (let i = 0; i < 200 && !parked; i++) {
    await new Promise((r) => setTimeout(r, 25));
    parked = goroutines().some((g) => g.fn === 'serveRequest' && g.waitReason === 'IO wait');
  }
  t.ok(parked, 'the handler goroutine is parked with wait reason "IO wait"');
  const atPark = written;
  await new Promise((r) => setTimeout(r, 200));
  t.equal(written, atPark, 'no progress while the client does not read');
  t.ok(written < 64 * 1024 * 1024, `bounded buffering (${written} bytes written before parking)`);
  sock.destroy();
  const err = await ended.recv();
  t.equal(err, ErrClientGone, 'the parked write fails once the client is gone');
  await srv.shutdown();
});

t.test('a handler that throws gets a 500, the error is logged with the request id, and the server keeps serving', { timeout: 10_000 }, async (t) => {
  const mux = new ServeMux();
  mux.handleFunc('/boom', () => {
    throw new Error('boom');
  });
  mux.handleFunc('/async-boom', async (w) => {
    w.header().set('X-Partial', 'yes');
    await Promise.resolve();
    throw new Error('async boom');
  });
  mux.handleFunc('/ok', (w) => {
    w.write('fine');
  });
  const { srv, base, logs } = await startServer(mux);
  const r1 = await request(`${base}/boom`);
  t.equal(r1.statusCode, 500);
  t.equal(await r1.body.text(), 'Internal Server Error\n');
  const r2 = await request(`${base}/async-boom`);
  t.equal(r2.statusCode, 500);
  t.equal(r2.headers['x-partial'], undefined, 'headers set before the throw are discarded');
  await r2.body.dump();
  const errors = logs.filter((l) => l.level === 50);
  t.equal(errors.length, 2);
  t.match(errors[0], { reqId: 1, method: 'GET', url: '/boom', msg: /^http: panic serving 127\.0\.0\.1:\d+: boom$/ });
  t.match(errors[1], { reqId: 2, err: { message: 'async boom' } });
  const r3 = await request(`${base}/ok`);
  t.equal(r3.statusCode, 200);
  t.equal(await r3.body.text(), 'fine');
  await srv.shutdown();
});

t.test('a handler that throws after writing part of the response has its connection closed', { timeout: 10_000 }, async (t) => {
  const { srv, port } = await startServer(async (w) => {
    w.write('partial');
    w.flush();
    await Promise.resolve();
    throw new Error('late');
  });
  const s = await rawConnect(port);
  const out = readUntilClose(s);
  s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  const text = await out;
  t.match(text, /^HTTP\/1\.1 200 OK/);
  t.notMatch(text, /\r\n0\r\n\r\n$/, 'the chunked body is not terminated: the client sees a cut response');
  await srv.shutdown();
});

t.test('a request body over maxBodyBytes gets a 413', { timeout: 10_000 }, async (t) => {
  const { srv, base } = await startServer(
    async (w, r) => {
      const b = await r.readAll();
      w.write(`read ${b.length}`);
    },
    { maxBodyBytes: 1000 },
  );
  const small = await request(base, { method: 'POST', body: 'x'.repeat(1000) });
  t.equal(await small.body.text(), 'read 1000');
  const big = await request(base, { method: 'POST', body: 'x'.repeat(5000) });
  t.equal(big.statusCode, 413, 'declared Content-Length over the limit');
  await big.body.dump();
  async function* chunks() {
    for (let i = 0; i < 10; i++) yield Buffer.alloc(500, 'y');
  }
  const chunked = await request(base, { method: 'POST', body: Readable.from(chunks()) });
  t.equal(chunked.statusCode, 413, 'chunked body that grows over the limit');
  await chunked.body.dump();
  await srv.shutdown();
});

t.test('Request.json() parses the body; invalid JSON escaping the handler is a 400', { timeout: 10_000 }, async (t) => {
  const { srv, base } = await startServer(async (w, r) => {
    const v = await r.json<{ n: number }>();
    w.write(String(v.n + 1));
  });
  const ok = await request(base, { method: 'POST', body: '{"n":41}' });
  t.equal(await ok.body.text(), '42');
  const bad = await request(base, { method: 'POST', body: '{nope' });
  t.equal(bad.statusCode, 400);
  await bad.body.dump();
  await srv.shutdown();
});

t.test('BodyReader.read() reads the body in pieces and returns null at the end', { timeout: 10_000 }, async (t) => {
  const { srv, base } = await startServer(async (w, r) => {
    const buf = Buffer.alloc(7);
    const sizes: number[] = [];
    let total = 0;
    let n: number | null;
    while ((n = await r.body.read(buf)) !== null) {
      sizes.push(n);
      total += n;
    }
    w.write(`${total} ${sizes.every((s) => s > 0 && s <= 7)}`);
  });
  const res = await request(base, { method: 'POST', body: 'z'.repeat(100_000) });
  t.equal(await res.body.text(), '100000 true');
  await srv.shutdown();
});

t.test('headers larger than maxHeaderBytes get a 431', { timeout: 10_000 }, async (t) => {
  const { srv, base } = await startServer((w) => w.write('never'), { maxHeaderBytes: 1024 });
  const res = await request(base, { headers: { 'x-big': 'a'.repeat(4000) } });
  t.equal(res.statusCode, 431);
  await res.body.dump();
  await srv.shutdown();
});

t.test('a malformed request gets a 400 and the connection is closed', { timeout: 10_000 }, async (t) => {
  let called = false;
  const { srv, port } = await startServer(() => {
    called = true;
  });
  const s = await rawConnect(port);
  const out = readUntilClose(s);
  s.write('THIS IS NOT HTTP\r\n\r\n');
  t.match(await out, /^HTTP\/1\.1 400 Bad Request\r\n/);
  t.equal(called, false, 'the handler never ran');
  await srv.shutdown();
});

t.test('slowloris: headers trickled one byte at a time are cut at readHeaderTimeout', { timeout: 10_000 }, async (t) => {
  const { srv, port } = await startServer((w) => w.write('never'), { readHeaderTimeout: 500 });
  const s = await rawConnect(port);
  const out = readUntilClose(s);
  const start = Date.now();
  const text = 'GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: ' + 'a'.repeat(100) + '\r\n\r\n';
  let i = 0;
  const trickle = setInterval(() => {
    if (s.destroyed || i >= text.length) return;
    s.write(text[i++]);
  }, 100);
  const got = await out;
  clearInterval(trickle);
  const elapsed = Date.now() - start;
  t.match(got, /^HTTP\/1\.1 408 Request Timeout/);
  t.ok(elapsed >= 450 && elapsed < 2500, `cut after ${elapsed} ms`);
  t.ok(i < text.length, 'cut before the headers were complete');
  await srv.shutdown();
});

t.test('ResponseWriter: an unset status means 200 on the first write; writeHeader sets it once', { timeout: 10_000 }, async (t) => {
  const mux = new ServeMux();
  mux.handleFunc('/implicit', (w) => {
    w.write(Buffer.from('bytes'));
  });
  mux.handleFunc('/created', (w) => {
    w.header().set('X-Id', '7');
    w.writeHeader(201);
    w.writeHeader(500);
    w.header().set('X-Late', 'ignored');
    w.write('made');
  });
  mux.handleFunc('/empty', () => {});
  const { srv, base, logs } = await startServer(mux);
  const a = await request(`${base}/implicit`);
  t.equal(a.statusCode, 200);
  t.equal(a.headers['content-type'], 'application/octet-stream');
  t.equal(a.headers['content-length'], '5', 'a single small write is sent with Content-Length');
  t.equal(await a.body.text(), 'bytes');
  const b = await request(`${base}/created`);
  t.equal(b.statusCode, 201);
  t.equal(b.headers['x-id'], '7');
  t.equal(b.headers['x-late'], undefined);
  t.equal(await b.body.text(), 'made');
  t.ok(logs.some((l) => /superfluous/.test(String(l.msg))), 'the superfluous writeHeader is logged');
  const c = await request(`${base}/empty`);
  t.equal(c.statusCode, 200);
  t.equal(await c.body.text(), '');
  await srv.shutdown();
});

t.test('writeTimeout closes the connection of a response that takes too long', { timeout: 10_000 }, async (t) => {
  const released = chan<Error | null>(1);
  const never = chan<void>();
  const { srv, port } = await startServer(
    async (w, r) => {
      w.write('partial');
      w.flush();
      await select([recvCase(never), recvCase(r.context().done())]);
      await released.send(cause(r.context()));
    },
    { writeTimeout: 200 },
  );
  const s = await rawConnect(port);
  const out = readUntilClose(s);
  const start = Date.now();
  s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  t.match(await out, /^HTTP\/1\.1 200 OK[\s\S]*partial/);
  const elapsed = Date.now() - start;
  t.ok(elapsed >= 180 && elapsed < 2000, `closed after ${elapsed} ms`);
  t.equal(await released.recv(), ErrClientGone, 'the handler saw its context cancelled');
  await srv.shutdown();
});

t.test('idleTimeout closes a keep-alive connection that stays idle', { timeout: 10_000 }, async (t) => {
  const { srv, port } = await startServer((w) => w.write('ok'), { idleTimeout: 200 });
  const s = await rawConnect(port);
  const out = readUntilClose(s);
  s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  const start = Date.now();
  t.match(await out, /^HTTP\/1\.1 200 OK[\s\S]*Keep-Alive: timeout=0[\s\S]*ok$/);
  const elapsed = Date.now() - start;
  // node:http adds a fixed 1 s grace to the keep-alive timeout (so clients see it first).
  t.ok(elapsed >= 150 && elapsed < 2500, `idle connection closed after ${elapsed} ms`);
  await srv.shutdown();
});

t.test('ResponseWriter.write() after the handler returned throws STRAND_ERR_WRITE_AFTER_END', { timeout: 10_000 }, async (t) => {
  const late = chan<import('../../src/http/index.js').ResponseWriter>(1);
  const { srv, base } = await startServer((w) => {
    w.write('done');
    late.trySend(w);
  });
  const res = await request(base);
  t.equal(await res.body.text(), 'done');
  const w = (await late.recv())!;
  t.throws(() => w.write('too late'), { code: 'STRAND_ERR_WRITE_AFTER_END' });
  await srv.shutdown();
});

t.test('Server[Symbol.asyncDispose]: `await using` closes the server at scope exit: its connections close, new dials are refused', { timeout: 10_000 }, async (t) => {
  const ts = await startServer((w) => {
    w.write('hi');
  });
  let closed: Promise<string>;
  {
    await using _srv = ts.srv;
    const sock = await rawConnect(ts.port);
    closed = readUntilClose(sock);
    let first = '';
    const served = new Promise<void>((resolve) =>
      sock.on('data', (d: Buffer) => {
        first += d.toString('latin1');
        if (first.endsWith('hi')) resolve();
      }),
    );
    sock.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await served;
    t.match(first, /^HTTP\/1\.1 200 OK\r\n/, 'served inside the scope; the connection stays open (keep-alive)');
  }
  await closed; // resolves only once the server closed the keep-alive connection
  t.pass('the open keep-alive connection was closed at scope exit');
  const err = await new Promise<NodeJS.ErrnoException>((resolve) => {
    const s = connect(ts.port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(Object.assign(new Error('connected'), { code: 'CONNECTED' }));
    });
    s.once('error', resolve);
  });
  t.equal(err.code, 'ECONNREFUSED', 'the listener is closed');
});
