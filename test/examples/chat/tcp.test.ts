import t from 'tap';
import { LineClient, startServer } from './helpers.js';

const opts = { timeout: 15_000 };

t.test('chat over TCP: two clients talk, switch rooms, and only hear their own room', opts, async (t) => {
  const srv = await startServer();
  const ana = await LineClient.join(srv.tcpAddr!, 'ana');
  const bob = await LineClient.join(srv.tcpAddr!, 'bob');
  await ana.expect('[lobby] -> guest2 joined');
  await ana.expect('[lobby] guest2 is now known as bob');

  ana.send('hi bob');
  t.equal(await bob.expect(/<ana>/), '[lobby] <ana> hi bob');
  bob.send('/me waves');
  t.equal(await ana.expect(/\* bob/), '[lobby] * bob waves');

  ana.send('/join #Go');
  await ana.expect('[go] -> ana joined');
  t.equal(await bob.expect(/<- ana/), '[lobby] <- ana left (went to #go)');
  bob.send('only the lobby hears this');
  await bob.expect('[lobby] <bob> only the lobby hears this');
  bob.send('/join go');
  t.equal(await ana.expect(/-> bob/), '[go] -> bob joined');
  t.notOk(ana.rest().concat(ana.lines).some((l) => l.includes('only the lobby')), 'ana did not hear the lobby');
  bob.send('hello #go');
  t.equal(await ana.expect(/<bob>/), '[go] <bob> hello #go');
  // A joiner gets the room's history.
  const cy = await LineClient.join(srv.tcpAddr!);
  cy.send('/join go');
  await cy.expect('* last message in #go:');
  t.equal(await cy.expect(/<bob>/), '[go] <bob> hello #go');

  ana.close(), bob.close(), cy.close();
  await srv.shutdown();
});

t.test('TCP commands: /nick, /join, /who, /rooms, /help, unknown commands, /quit, with clear errors', opts, async (t) => {
  const srv = await startServer();
  const ana = await LineClient.join(srv.tcpAddr!, 'ana');
  const bob = await LineClient.join(srv.tcpAddr!, 'bob');
  bob.send('/nick ANA');
  t.equal(await bob.expect(/^!/), '! error: nick "ANA" is taken');
  bob.send('/nick 2fast');
  t.equal(await bob.expect(/^!/), '! error: nick "2fast" is invalid: use letters, digits, "_" or "-", starting with a letter');
  bob.send('/nick ' + 'b'.repeat(25));
  t.match(await bob.expect(/^!/), /too long \(max 24 characters\)/);
  bob.send('/join no/pe');
  t.equal(await bob.expect(/^!/), '! error: room "no/pe" is invalid: use letters, digits, "_" or "-"');
  bob.send('/join');
  t.equal(await bob.expect(/^!/), '! error: usage: /join ROOM');
  bob.send('/dance');
  t.equal(await bob.expect(/^!/), '! error: unknown command /dance; type /help for the list');
  bob.send('/who');
  t.equal(await bob.expect(/^\* in /), '* in #lobby: ana, bob');
  ana.send('/join rust');
  await ana.expect('[rust] -> ana joined');
  bob.send('/rooms');
  t.equal(await bob.expect(/^\* rooms/), '* rooms: #lobby (1), #rust (1)');
  bob.send('/help');
  await bob.expect('* commands:');
  t.match(await bob.expect(/\/quit/), /\/quit \[WHY\]/);
  bob.send('/quit see ya');
  await bob.expect('* bye: see you!');
  await bob.ended;
  t.pass('the server closed the connection after /quit');
  ana.send('/join lobby');
  ana.send('/who');
  t.equal(await ana.expect(/^\* in /), '* in #lobby: ana');
  ana.close();
  await srv.shutdown();
});

t.test('TCP: a line over 4 KiB is refused with an error line and never reaches the room', opts, async (t) => {
  const srv = await startServer();
  const ana = await LineClient.join(srv.tcpAddr!, 'ana');
  const bob = await LineClient.join(srv.tcpAddr!, 'bob');
  ana.send('x'.repeat(5000));
  ana.send('y'.repeat(100_000));
  ana.send('z'.repeat(4096));
  ana.send('after');
  t.equal(await ana.expect(/^!/), '! error: line too long (max 4096 bytes); it was not sent');
  t.equal(await ana.expect(/^!/), '! error: line too long (max 4096 bytes); it was not sent');
  t.equal(await bob.expect(/<ana> z/), `[lobby] <ana> ${'z'.repeat(4096)}`, 'exactly 4096 bytes is allowed');
  await bob.expect('[lobby] <ana> after');
  t.notOk(bob.lines.some((l) => l.includes('xxx') || l.includes('yyy')), 'the long lines never reached the room');
  ana.close(), bob.close();
  await srv.shutdown();
});

t.test('TCP: invalid UTF-8 is replaced and control characters are stripped', opts, async (t) => {
  const srv = await startServer();
  const ana = await LineClient.join(srv.tcpAddr!, 'ana');
  const bob = await LineClient.join(srv.tcpAddr!, 'bob');
  ana.send(Buffer.concat([Buffer.from('bad '), Buffer.from([0xff, 0xc3, 0x28]), Buffer.from(' \x1b[2Jbell\x07 nul\x00 \u202eevil\r\n')]));
  t.equal(await bob.expect(/<ana>/), '[lobby] <ana> bad \ufffd\ufffd( [2Jbell nul evil');
  ana.close(), bob.close();
  await srv.shutdown();
});

t.test('TCP: a client that never reads is dropped; the others receive every message in order', { timeout: 30_000 }, async (t) => {
  const srv = await startServer({ outboxSize: 64 });
  const slow = await LineClient.join(srv.tcpAddr!, 'slow');
  slow.sock.pause(); // never reads again: its socket buffers fill, then its outbox
  const ana = await LineClient.join(srv.tcpAddr!, 'ana');
  const bob = await LineClient.join(srv.tcpAddr!, 'bob');
  const big = 'p'.repeat(4000);
  let sent = 0;
  let dropped = false;
  // Send in windows: wait for bob to see each window, so healthy clients keep up.
  while (!dropped && sent < 20_000) {
    for (let i = 0; i < 32; i++) ana.send(`${sent++} ${big}`);
    await bob.expect(new RegExp(`^\\[lobby\\] <ana> ${sent - 1} `), 10_000);
    dropped = bob.lines.some((l) => l === '[lobby] <- slow left (too slow)');
  }
  t.ok(dropped, `the slow client was dropped (after ${sent} messages)`);
  for (let i = 0; i < 10; i++) ana.send(`${sent++} tail`);
  await bob.expect(`[lobby] <ana> ${sent - 1} tail`);
  await ana.expect(`[lobby] <ana> ${sent - 1} tail`);
  for (const c of [ana, bob]) {
    const seq = c.lines.filter((l) => l.startsWith('[lobby] <ana> ')).map((l) => Number(l.split(' ')[2]));
    t.same(seq, Array.from({ length: sent }, (_, i) => i), 'every message, once, in order');
  }
  t.equal((await srv.hub.stats()).dropped, 1);
  slow.close(), ana.close(), bob.close();
  await srv.shutdown();
});

t.test('TCP: a client that vanishes mid-write is cleaned up and the room goes on', opts, async (t) => {
  const srv = await startServer();
  const ana = await LineClient.join(srv.tcpAddr!, 'ana');
  const gone = await LineClient.join(srv.tcpAddr!, 'gone');
  for (let i = 0; i < 50; i++) ana.send(`${i} ${'q'.repeat(4000)}`);
  gone.sock.resetAndDestroy();
  t.match(await ana.expect(/<- gone/), /^\[lobby\] <- gone left \(connection (closed|reset)\)$/);
  t.equal((await srv.hub.stats()).clients, 1);
  ana.send('/who');
  t.equal(await ana.expect(/^\* in/), '* in #lobby: ana');
  ana.close();
  await srv.shutdown();
});

t.test('ChatServer.shutdown() tells TCP clients and closes their connections', opts, async (t) => {
  const srv = await startServer();
  const ana = await LineClient.join(srv.tcpAddr!, 'ana');
  const bob = await LineClient.join(srv.tcpAddr!, 'bob');
  await srv.shutdown();
  t.equal(await ana.expect(/^\* bye/), '* bye: server shutting down');
  t.equal(await bob.expect(/^\* bye/), '* bye: server shutting down');
  await Promise.all([ana.ended, bob.ended]);
  t.pass('both connections closed');
});

t.test('ChatServer.shutdown() hangs up on a client that does not read its goodbye within the grace period', { timeout: 20_000 }, async (t) => {
  // Outboxes unbounded in practice (events and bytes), so the stuck client is not dropped as too
  // slow but still parked in conn.write when shutdown comes.
  const srv = await startServer({ outboxSize: 100_000, outboxBytes: 1 << 30, graceMs: 300 });
  const stuck = await LineClient.join(srv.tcpAddr!, 'stuck');
  stuck.sock.pause();
  const ana = await LineClient.join(srv.tcpAddr!, 'ana');
  // Fill stuck's socket buffers so its writer goroutine is parked in conn.write.
  for (let i = 0; i < 3000; i++) ana.send(`${i} ${'s'.repeat(4000)}`);
  await ana.expect(/<ana> 2999 /, 15_000);
  const t0 = Date.now();
  await srv.shutdown();
  t.ok(Date.now() - t0 < 3000, `shutdown took ${Date.now() - t0} ms`);
  // Once the stuck client reads again, it finds its connection closed.
  stuck.sock.resume();
  await stuck.ended;
  t.pass('the stuck connection was closed');
  ana.close();
});

t.test('TCP: a client over its line rate is slowed down, and none of its lines is lost', opts, async (t) => {
  const srv = await startServer({ rate: { perSecond: 20, burst: 5 } });
  const ana = await LineClient.join(srv.tcpAddr!, 'ana');
  const bob = await LineClient.join(srv.tcpAddr!, 'bob');
  const t0 = Date.now();
  for (let i = 0; i < 25; i++) ana.send(`flood ${i}`);
  for (let i = 0; i < 25; i++) await bob.expect(`[lobby] <ana> flood ${i}`);
  // 5 at once, then 20 more at 20 a second: about a second (the /nick line used one token).
  t.ok(Date.now() - t0 >= 800, `25 lines took ${Date.now() - t0} ms`);
  ana.close(), bob.close();
  await srv.shutdown();
});
