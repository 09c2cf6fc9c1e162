/**
 * Classic Go programs, ported line by line to strand (test/fixtures/classics/), each run as a
 * child process: its stdout and exit status must equal the Go original's.
 *
 * The expected outputs below are the verbatim stdout of the Go originals (go1.19.8 linux/amd64),
 * run with the same shortened durations and fixed latencies as the ports. Go is not needed to
 * run this file. Where Go's own output varies from run to run (a timestamp, an elapsed time, the
 * interleaving of two goroutines) the test compares what does not vary, and says so.
 *
 * Every program ends the Go way — main returns (or panics) — through strand's `main`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';

const opts = { timeout: 30_000 }; // child processes: generous on a loaded machine
/** A program still running after this long has hung: it is killed and its test fails. */
const KILL_AFTER_MS = 10_000;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the compiled classic `name` with `process.execPath`, killing it after {@link KILL_AFTER_MS}. */
function runClassic(name: string, onStdout?: (all: string, child: ChildProcess) => void): Promise<Run> {
  const path = fileURLToPath(new URL(`../fixtures/classics/${name}.js`, import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path], {
      env: { ...process.env, STRAND_DEBUG: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      onStdout?.(stdout, child);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Asserts the program exited by itself with `status` and wrote nothing to stderr, as Go's did. */
function exitedLikeGo(t: Test, r: Run, status: number): void {
  t.equal(r.signal, null, 'not killed (a hang is killed after the timeout)');
  t.equal(r.code, status, `exit status ${status}, as Go's`);
  t.equal(r.stderr, '', 'nothing on stderr, as Go');
}

// ---- Go by Example ---------------------------------------------------------------------------

const TIMERS = `Timer 1 fired
Timer 2 stopped
`;

t.test("classics: Go by Example's Timers prints 'Timer 1 fired', 'Timer 2 stopped' and exits 0 while timer2's goroutine is still blocked", opts, async (t) => {
  const r = await runClassic('timers');
  t.equal(r.stdout, TIMERS);
  exitedLikeGo(t, r, 0);
});

const RATE_LIMITING = `request 1 2026-12-04 18:21:56.718499461 +0000 UTC m=+0.010220243
request 2 2026-12-04 18:21:56.728934362 +0000 UTC m=+0.020655144
request 3 2026-12-04 18:21:56.739174704 +0000 UTC m=+0.030895486
request 4 2026-12-04 18:21:56.749370019 +0000 UTC m=+0.041090801
request 5 2026-12-04 18:21:56.758619163 +0000 UTC m=+0.050339945
request 1 2026-12-04 18:21:56.758660143 +0000 UTC m=+0.050380935
request 2 2026-12-04 18:21:56.758663048 +0000 UTC m=+0.050383840
request 3 2026-12-04 18:21:56.758665051 +0000 UTC m=+0.050385833
request 4 2026-12-04 18:21:56.768982477 +0000 UTC m=+0.060703259
request 5 2026-12-04 18:21:56.778875154 +0000 UTC m=+0.070595946
`;
const RATE_PERIOD_MS = 10;

/** Each line without its time (`time.Now()` in Go, a Date here): the part that compares. */
function withoutTimes(stdout: string): string {
  return stdout.replace(/^(request \d) .*$/gm, '$1');
}

t.test("classics: Go by Example's Rate Limiting serves requests 1-5 paced by the limiter, then 1-5 with a burst of 3, and exits 0 while its ticker goroutine runs", opts, async (t) => {
  const r = await runClassic('rate-limiting');
  t.equal(withoutTimes(r.stdout), withoutTimes(RATE_LIMITING), 'the requests, in order (times vary, in Go too)');
  exitedLikeGo(t, r, 0);

  // The pacing, from the printed times. Lower bounds only, with a period of slack for a loaded
  // machine: the limiter's ticks come a period apart, so requests 1..5 span at least 4 periods
  // (3 with the slack); the bursty requests 4 and 5 wait for the feeder's first two ticks, so the
  // burst spans at least 2 periods (1 with the slack). Date has millisecond precision, and a Node
  // timer can fire up to 1 ms early on that clock: 2 ms more of slack.
  const times = r.stdout.trimEnd().split('\n').map((l) => Date.parse(l.slice('request 1 '.length)));
  t.ok(times.length === 10 && times.every((ms) => Number.isFinite(ms)), 'every request line ends with a time');
  t.ok(times[4] - times[0] >= 3 * RATE_PERIOD_MS - 2, `limited requests span ${times[4] - times[0]} ms (4 periods of ${RATE_PERIOD_MS} ms)`);
  t.ok(times[9] - times[5] >= RATE_PERIOD_MS - 2, `bursty requests span ${times[9] - times[5]} ms (2 periods)`);
});

t.test("classics: Go by Example's Signals prints 'terminated' and 'exiting' and exits 0 on SIGTERM", opts, async (t) => {
  const r = await runClassic('signals', (all, child) => {
    if (all === 'awaiting signal\n') child.kill('SIGTERM');
  });
  t.equal(r.stdout, 'awaiting signal\n\nterminated\nexiting\n');
  exitedLikeGo(t, r, 0);
});

t.test("classics: Go by Example's Signals prints 'interrupt' and 'exiting' and exits 0 on SIGINT", opts, async (t) => {
  const r = await runClassic('signals', (all, child) => {
    if (all === 'awaiting signal\n') child.kill('SIGINT');
  });
  t.equal(r.stdout, 'awaiting signal\n\ninterrupt\nexiting\n');
  exitedLikeGo(t, r, 0);
});

// ---- the prime sieve -------------------------------------------------------------------------

const SIEVE = `2
3
5
7
11
13
17
19
23
29
`;

t.test('classics: the prime sieve prints the first 10 primes and exits 0 while its filters are blocked', opts, async (t) => {
  const r = await runClassic('sieve');
  t.equal(r.stdout, SIEVE);
  exitedLikeGo(t, r, 0);
});

// ---- Pike, "Go Concurrency Patterns" ---------------------------------------------------------

const GENERATOR = `You say: "boring! 0"
You say: "boring! 1"
You say: "boring! 2"
You say: "boring! 3"
You say: "boring! 4"
You're boring; I'm leaving.
`;

t.test("classics: Pike's generator (boring) prints 5 messages in order and exits 0 while the generator is blocked", opts, async (t) => {
  const r = await runClassic('pike-generator');
  t.equal(r.stdout, GENERATOR);
  exitedLikeGo(t, r, 0);
});

/** One run of Go's fan-in; the interleaving of Joe and Ann depends on random pauses. */
const FAN_IN_SAMPLE = `Ann: 0
Joe: 0
Ann: 1
Joe: 1
Ann: 2
Ann: 3
Joe: 2
Ann: 4
Ann: 5
Joe: 3
You're both boring; I'm leaving.
`;

/**
 * What every run of the fan-in prints, in Go as here: 10 messages, each from Joe or Ann, each
 * one's messages numbered 0, 1, 2... in order (a goroutine's sends are received in order), then
 * the goodbye. Returns the problems found (none for a valid run).
 */
function fanInProblems(stdout: string): string[] {
  const lines = stdout.split('\n');
  const problems: string[] = [];
  if (lines.length !== 12 || lines[10] !== "You're both boring; I'm leaving." || lines[11] !== '') {
    problems.push(`expected 10 messages, the goodbye and a final newline, got ${JSON.stringify(stdout)}`);
  }
  const next: Record<string, number> = { Joe: 0, Ann: 0 };
  for (const line of lines.slice(0, 10)) {
    const m = /^(Joe|Ann): (\d+)$/.exec(line);
    if (m === null) problems.push(`not a message: ${JSON.stringify(line)}`);
    else if (Number(m[2]) !== next[m[1]]++) problems.push(`${line}: out of order for ${m[1]}`);
  }
  return problems;
}

t.test("classics: Pike's fan-in prints 10 messages, each source's in order, then the goodbye, and exits 0", opts, async (t) => {
  t.same(fanInProblems(FAN_IN_SAMPLE), [], 'the check accepts the Go run');
  const r = await runClassic('pike-fanin');
  t.same(fanInProblems(r.stdout), [], r.stdout);
  exitedLikeGo(t, r, 0);
});

const QUIT = `Joe: 0
Joe: 1
Joe: 2
Joe: 3
`;

t.test("classics: Pike's quit channel prints Joe's 4 messages, stops Joe through a select and exits 0", opts, async (t) => {
  const r = await runClassic('pike-quit');
  t.equal(r.stdout, QUIT);
  exitedLikeGo(t, r, 0);
});

const RCVQUIT = `Joe: 0
Joe: 1
Joe: 2
Joe: 3
Joe says: "See you!"
`;

t.test("classics: Pike's receive-on-quit round trip prints Joe's 4 messages and his 'See you!' and exits 0", opts, async (t) => {
  const r = await runClassic('pike-rcvquit');
  t.equal(r.stdout, RCVQUIT);
  exitedLikeGo(t, r, 0);
});

const GOOGLE3 = `timed out
[web2 result for "golang"
 image1 result for "golang"
]
41.190618ms
`;
const GOOGLE3_TIMEOUT_MS = 40;

/** Go's elapsed-time line (a time.Duration): it varies from run to run, in Go too. */
const ELAPSED = /^(\d+(?:\.\d+)?)(ms|s)$/;

t.test("classics: Pike's Google Search 3.0 keeps the fastest replica's web and image results, times out the video search, and exits 0", opts, async (t) => {
  const r = await runClassic('pike-google3');
  const lines = r.stdout.split('\n');
  const goLines = GOOGLE3.split('\n');
  t.equal(lines.length, goLines.length, 'as many lines as Go');
  t.same(lines.slice(0, -2), goLines.slice(0, -2), 'every line but the elapsed time, as Go');
  const m = ELAPSED.exec(lines[lines.length - 2] ?? '');
  t.ok(m !== null, `the elapsed time is printed as a Go duration: ${JSON.stringify(lines[lines.length - 2])}`);
  if (m !== null) {
    const ms = Number(m[1]) * (m[2] === 's' ? 1000 : 1);
    t.ok(ms >= GOOGLE3_TIMEOUT_MS - 1, `elapsed ${ms} ms: not before the ${GOOGLE3_TIMEOUT_MS} ms timeout`);
  }
  exitedLikeGo(t, r, 0);
});

// ---- Go's test/chan ------------------------------------------------------------------------

t.test("classics: Go's doubleselect never runs two cases of one select (100000 selects, no duplicate), prints nothing and exits 0", opts, async (t) => {
  const r = await runClassic('doubleselect');
  t.equal(r.stdout, '');
  exitedLikeGo(t, r, 0);
});
