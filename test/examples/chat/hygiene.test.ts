import t from 'tap';
import { Client } from '../../../examples/chat/client.js';
import { event } from '../../../examples/chat/events.js';
import { Nicks } from '../../../examples/chat/nicks.js';
import { sanitize, skeleton } from '../../../examples/chat/validate.js';

t.test('sanitize() strips format characters (Cf), fillers and line separators, keeping emoji ZWJ sequences', { timeout: 5000 }, async (t) => {
  t.equal(sanitize('a\u200eb\u200fc\u061cd'), 'abcd', 'LRM, RLM, ALM');
  t.equal(sanitize('z\u200bw\u200cs\u2060p\ufeff'), 'zwsp', 'zero-width space, non-joiner, word joiner, BOM');
  t.equal(sanitize('soft\u00adhy\u{e0041}phen'), 'softhyphen', 'soft hyphen, tag characters');
  t.equal(sanitize('one\u2028two\u2029three'), 'one two three', 'U+2028/2029 become spaces');
  t.equal(sanitize('\u3164\u115f'), '', 'Hangul fillers');
  t.equal(sanitize('a\u200db'), 'ab', 'a ZWJ between letters goes');
  t.equal(sanitize('👩‍💻 and 👍🏽'), '👩‍💻 and 👍🏽', 'emoji sequences stay whole');
});

t.test('skeleton() folds look-alike nicks together and keeps different ones apart', { timeout: 5000 }, async (t) => {
  t.equal(skeleton('Iana'), skeleton('lana'));
  t.equal(skeleton('B0B'), skeleton('bob'));
  t.equal(skeleton('rnoe'), skeleton('moe'));
  t.equal(skeleton('\u0430na'), skeleton('ana'), 'Cyrillic а');
  t.equal(skeleton('ａｎａ'), skeleton('ana'), 'fullwidth (NFKC)');
  t.not(skeleton('ana'), skeleton('anna'));
  t.not(skeleton('ana_'), skeleton('ana-'));
});

t.test('Nicks: a freed nick is reserved for the client that freed it', { timeout: 5000 }, async (t) => {
  const nicks = new Nicks(60_000);
  const a = new Client('tcp', 'a');
  const b = new Client('tcp', 'b');
  a.nick = 'ana';
  t.equal(nicks.check('ana', a), null);
  nicks.take('ana', a);
  t.match(nicks.check('Ana', b), /^nick "Ana" is taken$/);
  t.match(nicks.check('an\u0430', b), /taken \(it looks like "ana"\)/);
  nicks.free('ana', a);
  t.match(nicks.check('ana', b), /reserved/);
  t.equal(nicks.check('ana', a), null, 'its owner may take it back');
  t.equal(new Nicks(0).check('ana', b), null);
});

t.test('Client.offer() bounds the outbox in bytes as well as events', { timeout: 5000 }, async (t) => {
  const c = new Client('tcp', 'x', 10, undefined, 100);
  const ev = event({ type: 'info', text: 'x'.repeat(40) }); // "* " + 40 + "\n" = 43 bytes
  t.equal(c.offer(ev), null);
  t.equal(c.offer(ev), null);
  t.equal(c.queued, 86);
  t.equal(c.offer(ev), 'outbox over 100 bytes');
  const got = c.outbox.tryRecv();
  if (typeof got !== 'symbol') c.took(got);
  t.equal(c.queued, 43);
  t.equal(c.offer(ev), null);
});
