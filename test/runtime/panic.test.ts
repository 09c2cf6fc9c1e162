import t from 'tap';
import { runFixture } from './_util.js';

const opts = { timeout: 30_000 }; // child processes: generous on a loaded machine

t.test('panic: an error thrown in a goroutine after an await prints panic, goroutine id and stack, exits 2', opts, async (t) => {
  const r = await runFixture('panic', { args: ['async'] });
  t.equal(r.code, 2, 'exit status 2');
  t.match(r.stderr, /^panic: boom\n\ngoroutine 2 \[running\]:\n/, 'panic line then the goroutine header');
  t.match(r.stderr, /explode .*panic\.[jt]s:\d+:\d+/, 'the stack names the function and its file');
  t.equal(r.stdout, 'started\n', 'the process stopped at the panic');
});

t.test('panic: a synchronous throw inside go() exits 2 before go() returns', opts, async (t) => {
  const r = await runFixture('panic', { args: ['sync'] });
  t.equal(r.code, 2);
  t.match(r.stderr, /^panic: sync boom\n\ngoroutine 2 \[running\]:\n/);
  t.match(r.stderr, /explodeNow/);
  t.notMatch(r.stdout, /after go/, 'code after go() never ran');
});

t.test('panic: a thrown non-Error value is printed as a string with the function name', opts, async (t) => {
  const r = await runFixture('panic', { args: ['value'] });
  t.equal(r.code, 2);
  t.match(r.stderr, /^panic: plain string\n\ngoroutine 2 \[running\]:\nthrowString\(\.\.\.\)\n/);
});

t.test('panic: an unhandled send on a closed channel panics with "chan: send on closed channel"', opts, async (t) => {
  const r = await runFixture('panic', { args: ['closed'] });
  t.equal(r.code, 2);
  t.match(r.stderr, /^panic: chan: send on closed channel\n\ngoroutine 2 \[running\]:\n/);
  t.match(r.stderr, /sendOnClosed/);
});
