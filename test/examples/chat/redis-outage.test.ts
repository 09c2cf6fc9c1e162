/**
 * Redis goes away for 3 s mid-conversation and comes back (killed and restarted on the same
 * port). The behaviour chosen: clients are told; a message sent during the outage reaches its
 * own node's clients at once and the other node's after recovery, once; new sessions are refused
 * (nicks cannot be checked); `/who` answers for this node only, saying so; a node holds at most
 * its buffer's worth of outgoing messages and refuses more with an error line.
 */
import t from 'tap';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { ChatServer } from '../../../examples/chat/server.js';
import { LineClient } from './helpers.js';
import { bySender, ChatNode, messages, TestRedis } from './helpers-redis.js';

const DOWN = /^\* lost the link to the other chat servers \(Redis\)/;
const UP = '* the link to the other chat servers is back';
const OUTAGE_MS = 3000;

t.test('chat over Redis: Redis down for 3 s; both nodes reconnect; outage messages delivered locally at once, remotely after, never twice', { timeout: 60_000 }, async (t) => {
  const redis = await TestRedis.start(t);
  const [a, b] = await Promise.all([ChatNode.start(t, redis.url), ChatNode.start(t, redis.url)]);
  const ana = await a.tcpClient(t, 'ana');
  const al = await a.tcpClient(t, 'al');
  const bob = await b.tcpClient(t, 'bob');
  const wes = await b.webClient(t, 'wes');
  await ana.expect('[go] -> wes joined');
  ana.send('before');
  for (const c of [ana, al, bob, wes]) await c.expect('[go] <ana> before');

  const downAt = Date.now();
  await redis.kill();
  for (const c of [ana, al, bob, wes]) await c.expect(DOWN);
  t.pass(`every client was told the link is down (${Date.now() - downAt} ms after the kill)`);

  // During the outage: each node's own clients get its messages at once.
  for (let i = 1; i <= 5; i++) ana.send(`during ${i}`);
  for (let i = 1; i <= 3; i++) t.equal(await wes.send(`wdur ${i}`), 204);
  for (let i = 1; i <= 5; i++) await al.expect(`[go] <ana> during ${i}`);
  for (let i = 1; i <= 3; i++) await bob.expect(`[go] <wes> wdur ${i}`);
  t.notOk(bob.lines.some((l) => l.includes('during')), 'node b has not seen node a\'s outage messages yet');
  t.notOk(al.lines.some((l) => l.includes('wdur')), 'node a has not seen node b\'s outage messages yet');
  // New sessions cannot be checked for nick clashes, so they are refused with the reason.
  const late = await LineClient.connect(a.tcp);
  t.teardown(() => late.close());
  t.match(await late.expect(/^\* bye:/), /nicks cannot be checked/, 'a new connection is refused, saying why');
  ana.send('/who');
  t.equal(await ana.expect(/^\* in #go/), '* in #go: al, ana', '/who answers for this node');
  t.match(await ana.expect(/^\* /), /this server only/, '…and says so');

  const left = OUTAGE_MS - (Date.now() - downAt);
  if (left > 0) await new Promise((r) => setTimeout(r, left)); // the outage lasts 3 s
  await redis.restart();
  const upAt = Date.now();
  for (const c of [ana, al, bob, wes]) await c.expect(UP, 15_000);
  const reconnectMs = Date.now() - upAt;
  t.comment(`outage ${upAt - downAt} ms; every client told the link is back ${reconnectMs} ms after Redis restarted`);
  t.ok(reconnectMs < 5000, `both nodes relinked within 5 s (${reconnectMs} ms)`);

  // After recovery the buffered messages cross, once, in order; then traffic flows both ways.
  // (The node catches up before it says the link is back: search from the start.)
  bob.pos = 0;
  for (let i = 1; i <= 5; i++) await bob.expect(`[go] <ana> during ${i}`);
  al.pos = 0;
  for (let i = 1; i <= 3; i++) await al.expect(`[go] <wes> wdur ${i}`);
  ana.send('after a');
  t.equal(await wes.send('after b'), 204);
  for (const c of [ana, al, bob, wes]) {
    c.pos = 0;
    await c.expect('[go] <ana> after a');
    c.pos = 0;
    await c.expect('[go] <wes> after b');
  }
  for (const [c, name] of [[ana, 'ana'], [al, 'al'], [bob, 'bob'], [wes, 'wes']] as const) {
    const got = bySender(c.lines);
    t.same(got.get('ana'), ['before', 'during 1', 'during 2', 'during 3', 'during 4', 'during 5', 'after a'], `${name}: ana's 7 messages, once each, in order`);
    t.same(got.get('wes'), ['wdur 1', 'wdur 2', 'wdur 3', 'after b'], `${name}: wes's 4 messages, once each, in order`);
    t.equal(messages(c.lines).length, 11, `${name}: 11 messages in all, none duplicated`);
  }
});

/** A logger whose lines a test can wait for. */
function watchedLogger(): { log: Logger; until: (msg: string) => Promise<void> } {
  const lines: string[] = [];
  let wake: (() => void) | null = null;
  const out = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      wake?.();
      cb();
    },
  });
  const until = async (msg: string): Promise<void> => {
    const deadline = Date.now() + 15_000;
    while (!lines.some((l) => l.includes(`"msg":"${msg}"`))) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for log "${msg}"`);
      await new Promise<void>((r) => {
        const timer = setTimeout(r, 500);
        wake = () => {
          clearTimeout(timer);
          r();
        };
      });
    }
  };
  return { log: pino({ level: "info" }, out) as Logger, until };
}

t.test('chat over Redis: during an outage a node holds at most its buffer of outgoing messages, refuses more, and publishes what it held after recovery', { timeout: 60_000 }, async (t) => {
  const redis = await TestRedis.start(t);
  const { log, until } = watchedLogger();
  const srv = await ChatServer.start({ tcp: '127.0.0.1:0', http: null, log, graceMs: 500, rate: { perSecond: 0, burst: 0 }, redis: redis.url, redisBufferSize: 3 });
  t.teardown(() => srv.shutdown());
  await until('redis: linked');
  const b = await ChatNode.start(t, redis.url);
  const ana = await LineClient.join(srv.tcpAddr!, 'ana');
  t.teardown(() => ana.close());
  const bob = await b.tcpClient(t, 'bob', 'lobby');
  await ana.expect(/ is now known as bob$/);

  await redis.kill();
  await ana.expect(DOWN);
  for (let i = 1; i <= 5; i++) ana.send(`m${i}`);
  for (let i = 1; i <= 3; i++) t.equal(await ana.expect(/^\[lobby\] <ana>|^! error/), `[lobby] <ana> m${i}`, `m${i} held and shown here`);
  for (let i = 4; i <= 5; i++) t.match(await ana.expect(/^\[lobby\] <ana>|^! error/), /^! error: message not sent: .*buffer is full/, `m${i} refused: the buffer (3) is full`);

  await redis.restart();
  await ana.expect(UP, 15_000);
  bob.pos = 0;
  for (let i = 1; i <= 3; i++) await bob.expect(`[lobby] <ana> m${i}`);
  ana.send('m6');
  await bob.expect('[lobby] <ana> m6');
  t.same(bySender(bob.lines, 'lobby').get('ana'), ['m1', 'm2', 'm3', 'm6'], 'the other node got the 3 held messages once, then the rest; never the refused ones');
});
