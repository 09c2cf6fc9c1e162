/**
 * A one-line progress bar on stderr for load phases that have no display of their own (TCP load
 * clients, the runtime benchmarks). autocannon draws its own (see `runAutocannon`).
 *
 * Draws only when enabled (pass `ScenarioOptions.interactive`); otherwise every call is a no-op,
 * so CI logs stay quiet.
 *
 * @module
 */

/** A running progress line; see {@link startProgress}. */
export interface Progress {
  /** Replaces the text after the bar (e.g. "12,345 round trips"). */
  update(detail: string): void;
  /** Clears the line. Idempotent. */
  done(): void;
}

const _noop: Progress = { update() {}, done() {} };

/**
 * Shows `label [=====     ] 45% detail` on stderr, advancing with time over `totalMs`.
 *
 * @param label what is running, e.g. "echo strand 50 conns".
 * @param totalMs the expected duration of the phase (the bar is time-based).
 * @param enabled draw at all (use `opts.interactive`); a no-op object when false.
 * @returns the progress line; call `done()` when the phase ends.
 * @example const p = startProgress('echo strand c=50', 10_000, opts.interactive === true); await load(); p.done();
 */
export function startProgress(label: string, totalMs: number, enabled: boolean): Progress {
  if (!enabled || !process.stderr.isTTY) return _noop;
  const start = performance.now();
  let detail = '';
  let finished = false;
  const width = 24;
  const draw = (): void => {
    const f = Math.min(1, (performance.now() - start) / Math.max(1, totalMs));
    const n = Math.round(f * width);
    const line = `${label} [${'='.repeat(n)}${' '.repeat(width - n)}] ${String(Math.round(f * 100)).padStart(3)}% ${detail}`;
    process.stderr.write(`\r\x1b[2K${line.slice(0, (process.stderr.columns || 100) - 1)}`);
  };
  const timer = setInterval(draw, 200);
  timer.unref();
  draw();
  return {
    update(d: string) {
      detail = d;
    },
    done() {
      if (finished) return;
      finished = true;
      clearInterval(timer);
      process.stderr.write('\r\x1b[2K');
    },
  };
}
