import t from 'tap';
import { request } from 'undici';
import { LineClient, startServer } from './helpers.js';

async function post(url: string, body: unknown): Promise<{ status: number; json: any }> {
  const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.body.text();
  return { status: res.statusCode, json: text ? JSON.parse(text) : null };
}

t.test('chat web API: sessions, sending, and their errors', { timeout: 15_000 }, async (t) => {
  const srv = await startServer({ http: '127.0.0.1:0' });
  const base = srv.httpURL!;
  const bob = await LineClient.join(srv.tcpAddr!, 'bob');
  try {
    const page = await request(base);
    t.equal(page.statusCode, 200);
    t.match(page.headers['content-type'], /text\/html/);
    t.match(page.headers['content-security-policy'], /default-src 'self'/);
    t.match(await page.body.text(), /<title>strand chat<\/title>/);
    for (const f of ['app.js', 'style.css']) {
      const r = await request(base + f);
      await r.body.dump();
      t.equal(r.statusCode, 200, `GET /${f}`);
    }

    t.same(await post(base + 'api/session', { nick: 'BOB', room: 'lobby' }), { status: 409, json: { error: 'nick "BOB" is taken' } });
    t.equal((await post(base + 'api/session', { nick: 'a b' })).status, 400);
    t.equal((await post(base + 'api/session', { nick: 'ana', room: 'bad room' })).status, 400);
    const s = await post(base + 'api/session', { nick: 'ana', room: '#Lobby' });
    t.equal(s.status, 201);
    t.match(s.json, { nick: 'ana', room: 'lobby', token: /^[0-9a-f-]{36}$/ });
    await bob.expect('[lobby] -> ana joined');

    t.equal((await post(base + 'api/send', { token: s.json.token, text: 'from the API' })).status, 204);
    t.equal(await bob.expect(/<ana>/), '[lobby] <ana> from the API');
    t.same(await post(base + 'api/send', { token: s.json.token, text: 'x'.repeat(4097) }), {
      status: 413,
      json: { error: 'line too long (max 4096 bytes); it was not sent' },
    });
    t.equal((await post(base + 'api/send', { token: s.json.token, text: 'a\nb' })).status, 400);
    t.equal((await post(base + 'api/send', { token: 'nope', text: 'hi' })).status, 404);

    // The event stream: one per session; it carries the client's outbox as JSON events.
    const ev = await request(`${base}api/events?token=${s.json.token}`);
    t.equal(ev.statusCode, 200);
    t.match(ev.headers['content-type'], /text\/event-stream/);
    const second = await request(`${base}api/events?token=${s.json.token}`);
    t.equal(second.statusCode, 409);
    await second.body.dump();
    let buf = '';
    for await (const chunk of ev.body) {
      buf += chunk.toString();
      if (buf.includes('"from the API"')) break;
    }
    t.match(buf, /data: \{"type":"welcome","nick":"ana","room":"lobby"/);
    // Closing the stream is leaving the chat.
    ev.body.destroy();
    t.equal(await bob.expect(/<- ana/), '[lobby] <- ana left (connection closed)');
  } finally {
    bob.close();
    await srv.shutdown();
  }
});

t.test('ChatServer.shutdown() sends web clients a bye event and ends their event streams', { timeout: 15_000 }, async (t) => {
  const srv = await startServer({ http: '127.0.0.1:0' });
  const s = await post(srv.httpURL + 'api/session', { nick: 'ana' });
  const ev = await request(`${srv.httpURL}api/events?token=${s.json.token}`);
  const body = (async () => {
    let buf = '';
    for await (const chunk of ev.body) buf += chunk.toString();
    return buf;
  })();
  await srv.shutdown();
  const buf = await body;
  t.match(buf, /data: \{"type":"bye","text":"server shutting down"\}/);
  t.pass('the stream ended');
});

t.test('chat web API: a session over its line rate gets 429', { timeout: 15_000 }, async (t) => {
  const srv = await startServer({ http: '127.0.0.1:0', rate: { perSecond: 1, burst: 3 } });
  const s = await post(srv.httpURL + 'api/session', { nick: 'ana' });
  const codes: number[] = [];
  for (let i = 0; i < 5; i++) codes.push((await post(srv.httpURL + 'api/send', { token: s.json.token, text: `m${i}` })).status);
  t.same(codes, [204, 204, 204, 429, 429]);
  await srv.shutdown();
});
