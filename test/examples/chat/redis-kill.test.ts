/**
 * A chat node killed with SIGKILL under traffic: the other node's clients lose nothing, and the
 * node started again shows its new clients the room's history.
 */
import t from 'tap';
import { bySender, ChatNode, messages, TestRedis } from './helpers-redis.js';

const N = 80;
const KILL_AT = 30;

t.test('chat over Redis: kill -9 one node under traffic; the other loses nothing; restarted, it shows the history', { timeout: 60_000 }, async (t) => {
  const redis = await TestRedis.start(t);
  const [a, b] = await Promise.all([ChatNode.start(t, redis.url), ChatNode.start(t, redis.url)]);
  const ana = await a.tcpClient(t, 'ana');
  const bob = await b.tcpClient(t, 'bob');
  const vic = await b.tcpClient(t, 'vic');
  const wes = await b.webClient(t, 'wes');
  await ana.expect('[go] -> wes joined');

  // Both senders write everything at once; the servers' rate limit (20 lines/s, bursts of 40)
  // spreads the messages over a few seconds, so node a dies mid-stream.
  for (let i = 1; i <= N; i++) {
    ana.send(`ana ${i}`);
    bob.send(`bob ${i}`);
  }
  bob.send('bob done');
  await vic.expect(`[go] <ana> ana ${KILL_AT}`);
  await a.kill9();
  t.pass(`node a killed after vic saw ana ${KILL_AT}`);

  for (const c of [bob, vic, wes]) {
    c.pos = 0;
    await c.expect('[go] <bob> bob done', 20_000);
  }
  const bobs = [...Array.from({ length: N }, (_, i) => `bob ${i + 1}`), 'bob done'];
  let anaGot = -1;
  for (const [c, name] of [[bob, 'bob (tcp)'], [vic, 'vic (tcp)'], [wes, 'wes (web)']] as const) {
    const got = bySender(c.lines);
    t.same(got.get('bob'), bobs, `${name}: all ${N + 1} of bob's messages, once each, in order`);
    const anas = got.get('ana') ?? [];
    t.same(anas, Array.from({ length: anas.length }, (_, i) => `ana ${i + 1}`), `${name}: ana's ${anas.length} messages before the kill, no gap, no duplicate`);
    t.ok(anas.length >= KILL_AT, `${name}: at least ${KILL_AT} of ana's`);
    if (anaGot < 0) {
      anaGot = anas.length;
      t.comment(`surviving clients got ${N + 1} of ${N + 1} of bob's messages and ${anaGot} of ana's (sent before the kill); 0 lost, 0 duplicated`);
    }
    else t.equal(anas.length, anaGot, `${name}: the same ${anaGot} of ana's as the others`);
  }

  // Node a again (a new process): its new clients see the room's history, as node b's do.
  const a2 = await ChatNode.start(t, redis.url);
  const ha = messages((await a2.tcpClient(t, 'newa')).lines);
  const hb = messages((await b.tcpClient(t, 'newb')).lines);
  t.equal(ha.length, 50, 'the restarted node replays the last 50 messages');
  t.same(ha, hb, 'the same 50 as the surviving node');
  t.equal(ha.at(-1), '[go] <bob> bob done', 'up to the last message sent');
});
