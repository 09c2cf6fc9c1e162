/**
 * One node loses its Redis connections while Redis and the other node go on: what was published
 * meanwhile reaches its clients from the room's stream after it reconnects, once and in order.
 */
import t from 'tap';
import { createClient } from '@redis/client';
import { bySender, ChatNode, TestRedis } from './helpers-redis.js';

const N = 90;

t.test('chat over Redis: a node whose connections drop mid-stream catches up from the stream (nothing lost, nothing twice)', { timeout: 60_000 }, async (t) => {
  const redis = await TestRedis.start(t);
  const [a, b] = await Promise.all([ChatNode.start(t, redis.url), ChatNode.start(t, redis.url)]);
  const admin = createClient({ url: redis.url });
  await admin.connect();
  t.teardown(() => admin.destroy());
  const al = await a.tcpClient(t, 'al');
  const bob = await b.tcpClient(t, 'bob');
  await al.expect('[go] -> bob joined');

  /** Kills node a's connections (by their names), as a network blip would. */
  const cut = async (): Promise<number> => {
    const list = String(await admin.sendCommand(['CLIENT', 'LIST']));
    const ids = list
      .split('\n')
      .filter((l) => l.includes(`name=chat:${a.nodeId} `) || l.includes(`name=chat-sub:${a.nodeId} `))
      .map((l) => /\bid=(\d+)/.exec(l)![1]!);
    for (const id of ids) await admin.sendCommand(['CLIENT', 'KILL', 'ID', id]);
    return ids.length;
  };

  for (let i = 1; i <= N; i++) bob.send(`bob ${i}`);
  bob.send('bob done');
  let cuts = 0;
  for (const at of [15, 40, 65]) {
    await bob.expect(`[go] <bob> bob ${at}`); // bob's own node shows them as they are sent
    cuts += await cut();
  }
  t.equal(cuts, 6, 'node a lost both its connections three times');
  await al.expect('[go] <bob> bob done', 30_000);
  // One more message after the last catch-up: anything duplicated would have arrived by now.
  bob.send('fence');
  await al.expect('[go] <bob> fence');
  const got = bySender(al.lines).get('bob');
  t.same(got, [...Array.from({ length: N }, (_, i) => `bob ${i + 1}`), 'bob done', 'fence'], `al got all ${N + 2} of bob's messages once each, in order`);
  const downs = al.lines.filter((l) => l.startsWith('* lost the link')).length;
  const ups = al.lines.filter((l) => l.startsWith('* the link to the other chat servers is back')).length;
  t.ok(downs >= 1 && ups === downs, `al was told of each outage and each recovery (${downs} down, ${ups} back)`);
  const caught = a.log.filter((l) => l.includes('"redis: read from the room streams"') && l.includes('"live":true'));
  t.comment(`node a caught up from the stream ${caught.length} time(s): ${caught.map((l) => JSON.parse(l).entries).join(', ')} entries`);
});
