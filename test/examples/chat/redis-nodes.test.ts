/**
 * Two chat servers on one Redis are two machines: TCP and web clients on each, in one room.
 */
import t from 'tap';
import { bySender, ChatNode, messages, post, TestRedis } from './helpers-redis.js';

const N = 25;

/** Waits until `line` has arrived at `c`, whenever (expect searches from where it last matched). */
async function seen(c: { pos: number; expect(p: string, ms?: number): Promise<string> }, line: string): Promise<void> {
  c.pos = 0;
  await c.expect(line, 20_000);
}

t.test('chat over Redis: two nodes, TCP and web clients on each, every message exactly once and in order; same history; nicks unique across nodes', { timeout: 60_000 }, async (t) => {
  const redis = await TestRedis.start(t);
  const [a, b] = await Promise.all([ChatNode.start(t, redis.url), ChatNode.start(t, redis.url)]);
  const ana = await a.tcpClient(t, 'ana');
  const wa = await a.webClient(t, 'wanda');
  const bob = await b.tcpClient(t, 'bob');
  const wb = await b.webClient(t, 'wes');
  // Everyone has seen everyone arrive (remote joins come over pub/sub).
  await ana.expect('[go] -> wes joined');

  // Nick clash across nodes: TCP /nick and a web session on node b for nicks held on node a.
  bob.send('/nick ana');
  t.equal(await bob.expect(/^! error/), '! error: nick "ana" is taken', 'TCP /nick refused on the other node');
  t.same(await post(b.http + 'api/session', { nick: 'WANDA', room: 'go' }), { status: 409, json: { error: 'nick "WANDA" is taken' } }, 'web session refused on the other node (case-insensitively)');
  t.equal((await post(b.http + 'api/session', { nick: 'vvanda', room: 'go' })).status, 409, 'and a look-alike of it (same skeleton) too');

  // /who answered across nodes (presence is written as it changes: ask until it shows).
  let who = '';
  for (let i = 0; i < 50 && !/ana, bob, wanda, wes$/.test(who); i++) {
    ana.send('/who');
    who = await ana.expect(/^\* in #go:/);
  }
  t.equal(who, '* in #go: ana, bob, wanda, wes', '/who lists the people on both nodes');
  bob.send('/rooms');
  t.match(await bob.expect(/^\* rooms:/), /#go \(4\)/, '/rooms counts both nodes');

  // Traffic: four senders, two per node, N messages each, all at once.
  for (let i = 1; i <= N; i++) {
    ana.send(`ana ${i}`);
    bob.send(`bob ${i}`);
  }
  const webSends: Promise<number>[] = [];
  for (let i = 1; i <= N; i++) {
    webSends.push(wa.send(`wanda ${i}`));
    webSends.push(wb.send(`wes ${i}`));
  }
  t.same(new Set(await Promise.all(webSends)), new Set([204]), 'every web send accepted');
  // A last marker from each, then everyone has everything (per-sender order: the marker comes last).
  ana.send('ana done');
  bob.send('bob done');
  t.equal(await wa.send('wanda done'), 204);
  t.equal(await wb.send('wes done'), 204);
  const clients = [ana, wa, bob, wb];
  for (const c of clients) for (const s of ['ana', 'bob', 'wanda', 'wes']) await seen(c, `[go] <${s}> ${s} done`);
  // One more round trip from each node so any duplicate still in flight would have arrived.
  ana.send('fence a');
  bob.send('fence b');
  for (const c of clients) {
    await seen(c, '[go] <ana> fence a');
    await seen(c, '[go] <bob> fence b');
  }

  const want = (s: string): string[] => [...Array.from({ length: N }, (_, i) => `${s} ${i + 1}`), `${s} done`];
  let total = 0;
  for (const [c, name] of [[ana, 'ana (tcp, node a)'], [wa, 'wanda (web, node a)'], [bob, 'bob (tcp, node b)'], [wb, 'wes (web, node b)']] as const) {
    const got = bySender(c.lines.filter((l) => !l.includes('fence')));
    for (const s of ['ana', 'bob', 'wanda', 'wes']) t.same(got.get(s), want(s), `${name}: ${s}'s ${N + 1} messages, once each, in order`);
    total += messages(c.lines).length;
  }
  t.equal(total, 4 * (4 * (N + 1) + 2), `${total} deliveries in all: nothing lost, nothing duplicated`);

  // History: a newcomer on either node sees the same last 50 messages.
  // (tcpClient returns once the join is announced, and history is replayed before that.)
  const ha = messages((await a.tcpClient(t, 'hist-a')).lines);
  const hb = messages((await b.tcpClient(t, 'hist-b')).lines);
  t.equal(ha.length, 50, 'node a replays 50 messages');
  t.same(hb, ha, 'node b replays the same 50, in the same order');
  // A node stopped gracefully: the other node's people see its people leave.
  a.child.kill('SIGTERM');
  t.equal(await a.exited, 0, 'node a stops cleanly on SIGTERM');
  t.equal(await bob.expect(/^\[go\] <- ana/), '[go] <- ana left (server shutting down)', 'node b sees ana leave');
  t.same(new Set(ha.slice(-2)), new Set(['[go] <ana> fence a', '[go] <bob> fence b']), 'ending with the last messages sent');
});
