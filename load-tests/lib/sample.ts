/**
 * CPU and memory of a process under load, read from Linux's /proc.
 *
 * CPU is the process's user + system time (fields 14 and 15 of /proc/<pid>/stat, in clock ticks)
 * divided by wall time: 100 means one full core. RSS is `VmRSS` of /proc/<pid>/status. On systems
 * without /proc every figure is NaN (the tables then show "—").
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let _clkTck: number | undefined;

/** Clock ticks per second (`getconf CLK_TCK`, 100 on Linux almost always). */
function _ticks(): number {
  if (_clkTck === undefined) {
    try {
      _clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      _clkTck = 100;
    }
  }
  return _clkTck;
}

/** One reading of a process: cumulative CPU seconds and current RSS. */
export interface ProcReading {
  /** user + system CPU time consumed so far, in seconds. */
  cpuSeconds: number;
  /** Resident set size now, in bytes. */
  rssBytes: number;
  /** When it was read (performance.now(), ms). */
  at: number;
}

/**
 * Reads a process's cumulative CPU time and RSS once.
 *
 * @param pid the process id (`process.pid` for this one).
 * @returns the reading, or undefined when /proc has no such process (it exited, or no /proc).
 * @example const r = readProc(server.pid); console.log(r?.rssBytes);
 */
export function readProc(pid: number): ProcReading | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may contain spaces: split after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state), so utime (14) and stime (15) are fields[11] and fields[12].
    const ticks = Number(fields[11]) + Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return { cpuSeconds: ticks / _ticks(), rssBytes: m ? Number(m[1]) * 1024 : NaN, at: performance.now() };
  } catch {
    return undefined;
  }
}

/** What a {@link ProcessSampler} measured over its window. */
export interface ProcessStats {
  /** Average CPU over the window, in percent of one core. */
  cpuPct: number;
  /** Highest CPU over any one sampling interval, percent of one core. */
  cpuPctMax: number;
  /** Highest RSS seen, in MiB. */
  rssMb: number;
  /** Average RSS over the samples, in MiB. */
  rssMbAvg: number;
  /** RSS at the last sample, in MiB. */
  rssMbLast: number;
  /** Number of samples taken. */
  samples: number;
}

/** A running sampler of one process; see {@link sampleProcess}. */
export interface ProcessSampler {
  /** Restarts the window now (e.g. after a warm-up): earlier samples are dropped. */
  reset(): void;
  /** Stops sampling and returns the figures for the window. Idempotent. */
  stop(): ProcessStats;
}

/**
 * Samples a process's CPU % and RSS every `intervalMs` while the load runs.
 *
 * @param pid the process to watch (e.g. `server.pid`).
 * @param opts `intervalMs` between samples (default 250).
 * @returns a sampler; call `stop()` when the load ends to get the {@link ProcessStats}.
 * @example
 * const s = sampleProcess(server.pid);
 * await runLoad();
 * const { cpuPct, rssMb } = s.stop();
 */
export function sampleProcess(pid: number, opts: { intervalMs?: number } = {}): ProcessSampler {
  const intervalMs = opts.intervalMs ?? 250;
  let first = readProc(pid);
  let prev = first;
  let last = first;
  let cpuMax = 0;
  let rssMax = first?.rssBytes ?? 0;
  let rssSum = first?.rssBytes ?? 0;
  let n = first ? 1 : 0;
  let result: ProcessStats | undefined;

  const take = (): void => {
    const r = readProc(pid);
    if (!r) return;
    if (prev) {
      const dt = (r.at - prev.at) / 1000;
      if (dt > 0) cpuMax = Math.max(cpuMax, ((r.cpuSeconds - prev.cpuSeconds) / dt) * 100);
    }
    if (!first) first = r;
    prev = r;
    last = r;
    rssMax = Math.max(rssMax, r.rssBytes);
    rssSum += r.rssBytes;
    n++;
  };
  const timer = setInterval(take, intervalMs);
  timer.unref();

  return {
    reset() {
      first = readProc(pid);
      prev = last = first;
      cpuMax = 0;
      rssMax = rssSum = first?.rssBytes ?? 0;
      n = first ? 1 : 0;
    },
    stop() {
      if (result) return result;
      clearInterval(timer);
      take();
      const mb = 1024 * 1024;
      const wall = first && last ? (last.at - first.at) / 1000 : 0;
      result = {
        cpuPct: first && last && wall > 0 ? ((last.cpuSeconds - first.cpuSeconds) / wall) * 100 : NaN,
        cpuPctMax: n > 1 ? cpuMax : NaN,
        rssMb: n ? rssMax / mb : NaN,
        rssMbAvg: n ? rssSum / n / mb : NaN,
        rssMbLast: last ? last.rssBytes / mb : NaN,
        samples: n,
      };
      return result;
    },
  };
}
