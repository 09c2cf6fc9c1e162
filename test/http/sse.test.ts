import t from 'tap';
import { request } from 'undici';
import { cause, chan, go, recvCase, select, sendCase, type Chan, type Context } from '../../src/runtime/index.js';
import { ErrClientGone, serveSSE, sse, formatEvent } from '../../src/http/index.js';
import { startServer } from './_helpers.js';

t.test('serveSSE() streams every value from a channel until it closes', { timeout: 10_000 }, async (t) => {
  const { srv, base } = await startServer(async (w, r) => {
    const ch = chan<unknown>();
    go(async () => {
      for (const v of [{ n: 1 }, 'plain', 'two\nlines']) await ch.send(v);
      ch.close();
    });
    await serveSSE(w, r, ch, { event: 'update', retry: 1000 });
  });
  const res = await request(base);
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^text\/event-stream/);
  t.equal(res.headers['cache-control'], 'no-cache');
  const body = await res.body.text();
  t.equal(
    body,
    'retry: 1000\n\n' +
      'event: update\ndata: {"n":1}\n\n' +
      'event: update\ndata: plain\n\n' +
      'event: update\ndata: two\ndata: lines\n\n',
  );
  await srv.shutdown();
});

t.test('serveSSE(): when the client leaves, the producer selecting on r.context().done() is released', { timeout: 10_000 }, async (t) => {
  const released = chan<Error | null>(1);
  async function producer(ctx: Context, ch: Chan<number>) {
    const gone = recvCase(ctx.done());
    for (let i = 0; ; i++) {
      if ((await select([sendCase(ch, i), gone])) === 1) {
        await released.send(cause(ctx));
        return;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  const { srv, base } = await startServer(
    sse((r) => {
      const ch = chan<number>();
      go(producer, r.context(), ch);
      return ch;
    }),
  );
  const ac = new AbortController();
  const res = await request(base, { signal: ac.signal });
  let text = '';
  for await (const c of res.body) {
    text += String(c);
    if (text.split('\n\n').length > 3) break;
  }
  t.match(text, /^data: 0\n\ndata: 1\n\ndata: 2\n\n/);
  ac.abort();
  t.equal(await released.recv(), ErrClientGone, 'the producer saw the request context cancelled: client gone');
  await srv.shutdown();
});

t.test('serveSSE() sends heartbeat comments while the channel is quiet', { timeout: 10_000 }, async (t) => {
  const ch = chan<string>();
  const { srv, base } = await startServer((w, r) => serveSSE(w, r, ch, { heartbeat: 30 }));
  const res = await request(base);
  const it = res.body[Symbol.asyncIterator]();
  const first = await it.next();
  t.equal(String(first.value), ':\n\n');
  ch.close();
  for (let c = await it.next(); !c.done; c = await it.next()) t.equal(String(c.value), ':\n\n');
  t.pass('the stream ended when the channel closed');
  await srv.shutdown();
});

t.test('formatEvent() formats fields and splits multi-line data', async (t) => {
  t.equal(formatEvent('x', undefined, undefined), 'data: x\n\n');
  t.equal(formatEvent('a\r\nb', 'e', '7'), 'event: e\nid: 7\ndata: a\ndata: b\n\n');
});
