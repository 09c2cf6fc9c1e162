import t from 'tap';
import { Client } from '../../../examples/chat/client.js';
import { drain, join, line, newHub, next, sync, tryJoin, until } from './helpers-core.js';

const opts = { timeout: 10_000 };

t.test('Hub connect: a guest nick, a welcome, and the join announced to the room', opts, async (t) => {
  const hub = newHub();
  const a = await join(hub, 'ana');
  const b = await join(hub);
  await sync(hub);
  const ea = drain(a);
  t.match(ea[0], { type: 'welcome', nick: 'ana', room: 'lobby' });
  t.ok(ea.some((e) => e.type === 'join' && e.nick === 'guest1'), 'ana sees the guest join');
  const eb = drain(b);
  t.match(eb[0], { type: 'welcome', nick: 'guest1' });
  t.match(eb[1], { type: 'state', nick: 'guest1', room: 'lobby' });
  await hub.shutdown();
});

t.test('Hub connect refuses a taken (case-insensitive) or invalid nick and an invalid room', opts, async (t) => {
  const hub = newHub();
  await join(hub, 'Ana');
  t.equal(await tryJoin(hub, new Client('web', 'x'), 'ana'), 'nick "ana" is taken');
  t.match(await tryJoin(hub, new Client('web', 'x'), 'a b'), /is invalid/);
  t.match(await tryJoin(hub, new Client('web', 'x'), 'x'.repeat(25)), /too long/);
  t.match(await tryJoin(hub, new Client('web', 'x'), 'bob', 'no room!'), /room "no room!" is invalid/);
  await hub.shutdown();
});

t.test('Hub delivers a message to everyone in the room and no one outside it', opts, async (t) => {
  const hub = newHub();
  const a = await join(hub, 'ana');
  const b = await join(hub, 'bob');
  const c = await join(hub, 'cy', 'go');
  await sync(hub);
  drain(a), drain(b), drain(c);
  await line(hub, a, 'hello lobby');
  await sync(hub);
  t.match(drain(a), [{ type: 'message', room: 'lobby', nick: 'ana', text: 'hello lobby' }]);
  t.match(drain(b), [{ type: 'message', room: 'lobby', nick: 'ana', text: 'hello lobby' }]);
  t.same(drain(c), []);
  await line(hub, c, '/me waves');
  await sync(hub);
  t.match(drain(c), [{ type: 'action', room: 'go', nick: 'cy', text: 'waves' }]);
  t.same(drain(a), []);
  await hub.shutdown();
});

t.test('Hub /join announces the leave and the join, and replays the last 50 messages', opts, async (t) => {
  const hub = newHub();
  const a = await join(hub, 'ana');
  const b = await join(hub, 'bob');
  for (let i = 0; i < 60; i++) await line(hub, b, `m${i}`);
  await sync(hub);
  drain(a);
  await line(hub, a, '/join #Go');
  await line(hub, b, '/join go');
  await sync(hub);
  const ea = drain(a);
  t.match(ea, [{ type: 'state', room: 'go' }, { type: 'join', room: 'go', nick: 'ana' }, { type: 'join', room: 'go', nick: 'bob' }]);
  const eb = drain(b);
  t.ok(eb.some((e) => e.type === 'leave' && e.nick === 'ana' && e.reason === 'went to #go'), 'bob saw ana leave the lobby');
  // A third client joins the lobby: it gets the last 50 of bob's 60 messages, in order.
  const c = await join(hub, 'cy');
  await sync(hub);
  const hist = drain(c).filter((e) => e.type === 'message');
  t.equal(hist.length, 50);
  t.match(hist[0], { text: 'm10', history: true });
  t.match(hist[49], { text: 'm59' });
  await hub.shutdown();
});

t.test('Hub /nick validates, refuses a taken nick, and announces the change', opts, async (t) => {
  // Freed nicks are reserved for 30 s by default (test/hostile/chat-hygiene checks that); off here.
  const hub = newHub({ nickReserveMs: 0 });
  const a = await join(hub, 'ana');
  const b = await join(hub, 'bob');
  await sync(hub);
  drain(a), drain(b);
  await line(hub, a, '/nick BOB');
  await line(hub, a, '/nick 9lives');
  await line(hub, a, '/nick');
  await line(hub, a, '/nick anna');
  await sync(hub);
  t.match(drain(a), [
    { type: 'error', text: 'nick "BOB" is taken' },
    { type: 'error', text: /nick "9lives" is invalid/ },
    { type: 'error', text: 'usage: /nick NAME' },
    { type: 'state', nick: 'anna' },
    { type: 'rename', from: 'ana', nick: 'anna' },
  ]);
  t.match(drain(b), [{ type: 'rename', from: 'ana', nick: 'anna' }]);
  // The old nick is free again.
  t.equal(await tryJoin(hub, new Client('tcp', 'x'), 'ana'), null);
  await hub.shutdown();
});

t.test('Hub /who, /rooms, /help and an unknown command', opts, async (t) => {
  const hub = newHub();
  const a = await join(hub, 'ana');
  await join(hub, 'bob');
  await join(hub, 'cy', 'go');
  await sync(hub);
  drain(a);
  await line(hub, a, '/who');
  await line(hub, a, '/rooms');
  await line(hub, a, '/frob');
  await line(hub, a, '/help');
  await sync(hub);
  const ev = drain(a);
  t.match(ev[0], { type: 'who', room: 'lobby', nicks: ['ana', 'bob'] });
  t.match(ev[1], { type: 'rooms', rooms: [{ room: 'lobby', members: 2 }, { room: 'go', members: 1 }] });
  t.match(ev[2], { type: 'error', text: 'unknown command /frob; type /help for the list' });
  t.match(ev[3], { type: 'info', text: 'commands:' });
  await hub.shutdown();
});

t.test('Hub /quit says bye, closes the outbox and announces the leave', opts, async (t) => {
  const hub = newHub();
  const a = await join(hub, 'ana');
  const b = await join(hub, 'bob');
  await sync(hub);
  drain(a), drain(b);
  await line(hub, a, '/quit gotta go');
  t.match(await until(a, (e) => e.type === 'bye'), { text: 'see you!' });
  t.equal(await next(a), null, 'outbox closed');
  t.match(await next(b), { type: 'leave', nick: 'ana', reason: 'quit: gotta go' });
  // Requests from a dropped client are ignored.
  await line(hub, a, 'ghost');
  await sync(hub);
  t.same(drain(b), []);
  await hub.shutdown();
});

t.test('Hub drops a client whose outbox is full, and the others get every message in order', opts, async (t) => {
  const hub = newHub();
  const slow = await join(hub, 'slow', 'lobby', 8);
  let hungUp = '';
  slow.hangUp = (reason) => (hungUp = reason);
  const a = await join(hub, 'ana');
  const b = await join(hub, 'bob');
  await sync(hub);
  drain(a), drain(b);
  const got: string[] = [];
  const N = 100;
  for (let i = 0; i < N; i++) {
    await line(hub, a, `n${i}`);
    if (i % 10 === 9) {
      await sync(hub);
      for (const e of drain(b)) if (e.type === 'message') got.push(e.text);
      drain(a);
    }
  }
  t.equal(hungUp, 'too slow', 'the slow client was hung up');
  t.same(got, Array.from({ length: N }, (_, i) => `n${i}`));
  t.equal((await hub.stats()).dropped, 1);
  t.equal((await hub.stats()).clients, 2);
  await hub.shutdown();
});

t.test('Hub.shutdown() says bye to everyone, closes outboxes, and later sends report false', opts, async (t) => {
  const hub = newHub();
  const a = await join(hub, 'ana');
  const b = await join(hub, 'bob');
  await hub.shutdown('bye all');
  t.match(await until(a, (e) => e.type === 'bye'), { text: 'bye all' });
  t.equal(await next(a), null);
  t.match(await until(b, (e) => e.type === 'bye'), { text: 'bye all' });
  t.equal(await hub.send({ op: 'disconnect', client: a, reason: 'x' }), false);
  t.equal(await tryJoin(hub, new Client('tcp', 'x'), 'cy'), 'hub stopped');
});

t.test('Hub keeps at most maxRooms rooms, forgetting the longest-idle empty one', opts, async (t) => {
  const hub = newHub({ maxRooms: 3 });
  const a = await join(hub, 'ana');
  const b = await join(hub, 'bob');
  await line(hub, a, '/join one');
  await line(hub, a, 'in one');
  await line(hub, a, '/join two');
  await line(hub, b, '/join two');
  await sync(hub);
  drain(a), drain(b);
  // lobby (empty), one (empty, with history), two (ana, bob): a fourth room replaces "one".
  await line(hub, a, '/join three');
  await line(hub, a, '/rooms');
  await sync(hub);
  t.match(drain(a).find((e) => e.type === 'rooms'), { rooms: [{ room: 'three', members: 1 }, { room: 'two', members: 1 }, { room: 'lobby', members: 0 }] });
  // With every room but the lobby occupied, the lobby is never forgotten and no fifth room fits.
  await line(hub, b, '/join four');
  await sync(hub);
  t.match(drain(b).filter((e) => e.type === 'error'), [{ text: 'too many rooms; join an existing one' }]);
  await hub.shutdown();
});
