/**
 * Hostile clients against the chat's input hygiene: invisible and direction-changing marks,
 * look-alike nicks, grabbing a nick the moment it is freed; and SIGQUIT on the real program
 * printing the goroutine dump (Go's behaviour) instead of dying silently.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { LineClient } from '../examples/chat/helpers.js';
import { ChatChild, Healthy, fmt } from './chat-harness.js';

const RSS_BOUND_MIB = 200;
const HEALTHY_MAX_MS = 2000;

async function post(url: string, body: unknown): Promise<{ status: number; json: any }> {
  const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.body.text();
  return { status: res.statusCode, json: text ? JSON.parse(text) : null };
}

t.test('chat hostile: invisible, bidi and line-separator characters never reach the room', { timeout: 20_000 }, async (t) => {
  const srv = await ChatChild.start({});
  const healthy = await Healthy.start(srv.tcp);
  const ana = await LineClient.join(srv.tcp, 'ana');
  const bob = await LineClient.join(srv.tcp, 'bob');
  try {
    const marks = '\u200e\u200f\u061c\u200b\u200c\u200d\u2060\u00ad\ufeff\u202e\u2066\u2069\u180e\u{e0041}\u3164';
    ana.send(`a${marks}b c\u2028d\u2029e`);
    t.equal(await bob.expect(/<ana>/), '[lobby] <ana> ab c d e', 'marks stripped, separators became spaces');
    ana.send('\u200b\u200e\u3164'); // nothing visible: not sent at all
    ana.send('family 👨‍👩‍👧 stays');
    t.equal(await bob.expect(/<ana>/), '[lobby] <ana> family 👨‍👩‍👧 stays', 'an emoji ZWJ sequence is kept; the invisible-only line was dropped');
    // A nick with an invisible mark is the same nick once cleaned: taken.
    const s = await post(srv.http + 'api/session', { nick: 'a\u200bna' });
    t.equal(s.status, 409, 'web: "a<ZWSP>na" is "ana", taken');
    const health = await healthy.stop();
    t.ok(health.max < HEALTHY_MAX_MS, `healthy client latency max ${fmt(health.max)} ms`);
    t.ok(srv.peakRss < RSS_BOUND_MIB, `peak RSS ${fmt(srv.peakRss)} MiB`);
  } finally {
    await healthy.stop(0);
    ana.close(), bob.close();
    await srv.stop();
  }
});

t.test('chat hostile: look-alike nicks are refused as taken; Cyrillic look-alikes are invalid', { timeout: 20_000 }, async (t) => {
  const srv = await ChatChild.start({});
  const healthy = await Healthy.start(srv.tcp);
  const lana = await LineClient.join(srv.tcp, 'lana');
  const bob = await LineClient.join(srv.tcp, 'bob');
  const eve = await LineClient.join(srv.tcp);
  try {
    for (const [nick, like] of [['Iana', 'lana'], ['IANA', 'lana'], ['b0b', 'bob'], ['BOB', 'bob'], ['B0B', 'bob']] as const) {
      eve.send(`/nick ${nick}`);
      t.match(await eve.expect(/^!/), new RegExp(`^! error: nick "${nick}" is taken`), `${nick} is taken (looks like ${like})`);
    }
    eve.send('/nick \u0430na'); // Cyrillic а
    t.match(await eve.expect(/^!/), /is invalid/, 'a Cyrillic look-alike is not a valid nick');
    t.equal((await post(srv.http + 'api/session', { nick: 'lANA' })).status, 409, 'web: lANA is taken');
    t.equal((await post(srv.http + 'api/session', { nick: 'IANA' })).status, 409, 'web: IANA is taken');
    eve.send('/nick rnallory');
    t.match(await eve.expect(/known as|^!/), /is now known as rnallory$/, 'a nick nobody looks like is fine');
    const health = await healthy.stop();
    t.ok(health.max < HEALTHY_MAX_MS, `healthy client latency max ${fmt(health.max)} ms`);
    t.ok(srv.peakRss < RSS_BOUND_MIB, `peak RSS ${fmt(srv.peakRss)} MiB`);
  } finally {
    await healthy.stop(0);
    lana.close(), bob.close(), eve.close();
    await srv.stop();
  }
});

t.test('chat hostile: a freed nick is reserved for a while, then free', { timeout: 20_000 }, async (t) => {
  const srv = await ChatChild.start({ nickReserveMs: 1000 });
  const healthy = await Healthy.start(srv.tcp);
  const ana = await LineClient.join(srv.tcp, 'ana');
  const eve = await LineClient.join(srv.tcp);
  try {
    // A rename frees the old nick, but only its owner may take it back at once.
    ana.send('/nick anna');
    await ana.expect(/is now known as anna$/);
    eve.send('/nick ana');
    t.match(await eve.expect(/^!/), /^! error: nick "ana" is taken \(it was just freed and is reserved for another 1 s\)$/);
    ana.send('/nick ana');
    t.match(await ana.expect(/known as/), /anna is now known as ana$/, 'the owner takes it back');
    // Leaving frees it too: an impostor connecting right after is refused.
    ana.send('/quit');
    await ana.ended;
    eve.send('/nick ana');
    t.match(await eve.expect(/^!/), /reserved/);
    t.equal((await post(srv.http + 'api/session', { nick: 'ana' })).status, 409, 'web: reserved too');
    // The reservation is a time: let it pass (a measured wait, not a synchronization).
    await new Promise((r) => setTimeout(r, 1100));
    eve.send('/nick ana');
    t.match(await eve.expect(/known as|^!/), /is now known as ana$/, 'free after the reservation');
    const health = await healthy.stop();
    t.ok(health.max < HEALTHY_MAX_MS, `healthy client latency max ${fmt(health.max)} ms`);
    t.ok(srv.peakRss < RSS_BOUND_MIB, `peak RSS ${fmt(srv.peakRss)} MiB`);
  } finally {
    await healthy.stop(0);
    ana.close(), eve.close();
    await srv.stop();
  }
});

t.test('chat hostile: SIGQUIT prints the goroutine dump and exits 2, as Go does', { timeout: 20_000 }, async (t) => {
  const main = fileURLToPath(new URL('../../examples/chat/main.js', import.meta.url));
  const child = spawn(process.execPath, [main, '--tcp', '127.0.0.1:0', '--http', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let out = '';
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
  const tcp = await new Promise<string>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      for (const l of out.split('\n')) if (l.includes('"chat: listening"')) resolve(JSON.parse(l).tcp as string);
    });
    child.on('exit', (code) => reject(new Error(`exited ${code} before listening: ${out}${err}`)));
  });
  try {
    const healthy = await Healthy.start(tcp);
    const health = await healthy.stop();
    t.ok(health.echoed > 0, 'the server was serving');
    child.kill('SIGQUIT');
    t.equal(await exit, 2, 'exit status 2');
    t.match(err, /^SIGQUIT: quit\n/, 'the dump header');
    t.match(err, /goroutine \d+ \[/, 'goroutines listed with their state');
    t.match(err, /exit status 2\n$/);
  } finally {
    child.kill('SIGKILL');
  }
});
