import t from 'tap';
import { parseLine } from '../../../examples/chat/commands.js';
import { checkNick, normalizeRoom, sanitize } from '../../../examples/chat/validate.js';

t.test('parseLine() maps each command and treats other lines as messages', { timeout: 5000 }, async (t) => {
  t.same(parseLine('hello there'), { op: 'say', text: 'hello there' });
  t.same(parseLine('//not a command'), { op: 'say', text: '/not a command' });
  t.same(parseLine('/NICK ana'), { op: 'nick', nick: 'ana' });
  t.same(parseLine('/join #go'), { op: 'join', room: '#go' });
  t.same(parseLine('/me  waves '), { op: 'me', text: 'waves' });
  t.same(parseLine('/who'), { op: 'who' });
  t.same(parseLine('/rooms'), { op: 'rooms' });
  t.same(parseLine('/help'), { op: 'help' });
  t.same(parseLine('/quit'), { op: 'quit', reason: '' });
  t.same(parseLine('/quit bye now'), { op: 'quit', reason: 'bye now' });
  t.same(parseLine('   \r'), null);
  t.same(parseLine('/join'), { op: 'invalid', text: 'usage: /join ROOM' });
  t.same(parseLine('/join a b'), { op: 'invalid', text: 'usage: /join ROOM' });
  t.same(parseLine('/me'), { op: 'invalid', text: 'usage: /me ACTION' });
  t.same(parseLine('/xyz 1'), { op: 'invalid', text: 'unknown command /xyz; type /help for the list' });
});

t.test('sanitize() strips control and bidi characters, keeps emoji, and repairs lone surrogates', { timeout: 5000 }, async (t) => {
  t.equal(sanitize('a\u0000b\u0007c\u001b[31md\u007f\u0085e\r'), 'abc[31mde');
  t.equal(sanitize('tab\there'), 'tab here');
  t.equal(sanitize('x\u202eevil\u2066y'), 'xevily');
  t.equal(sanitize('family 👨‍👩‍👧 ok'), 'family 👨‍👩‍👧 ok');
  t.equal(sanitize('bad \ud800 pair'), 'bad \ufffd pair');
  t.equal(sanitize(Buffer.from([0x68, 0x69, 0xff, 0xfe, 0x21]).toString('utf8')), 'hi\ufffd\ufffd!');
});

t.test('checkNick() and normalizeRoom() enforce length and charset', { timeout: 5000 }, async (t) => {
  t.equal(checkNick('ana_B-1'), null);
  t.match(checkNick(''), /empty/);
  t.match(checkNick('1ana'), /invalid/);
  t.match(checkNick('an a'), /invalid/);
  t.match(checkNick('é'), /invalid/);
  t.match(checkNick('a'.repeat(25)), /too long/);
  t.same(normalizeRoom('#Go'), ['go', null]);
  t.same(normalizeRoom('rust-lang_2'), ['rust-lang_2', null]);
  t.match(normalizeRoom('#')[1], /empty/);
  t.match(normalizeRoom('a/b')[1], /invalid/);
  t.match(normalizeRoom('r'.repeat(33))[1], /too long/);
});
