/**
 * Runs a small ES module program in a child Node process, with `strand` importable through the
 * placeholder `STRAND` (replaced by the compiled package root), and reports how it exited and how
 * long it took. Used by the time/context tests to check what keeps a process alive.
 */

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Absolute URL of the compiled package root (dist/src/index.js). */
export const STRAND_URL = new URL('../../src/index.js', import.meta.url).href;

/** Outcome of {@link runProgram}. */
export interface ProgramResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit, in ms (includes Node's start-up). */
  ms: number;
}

/**
 * Runs `source` (an ES module; `STRAND` is replaced by the package URL) with `node
 * --input-type=module -e`, killing it after `killAfterMs`.
 */
export function runProgram(source: string, opts: { nodeArgs?: string[]; killAfterMs?: number } = {}): Promise<ProgramResult> {
  const code = source.replaceAll('STRAND', STRAND_URL);
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--input-type=module', '-e', code], {
      cwd: fileURLToPath(new URL('.', import.meta.url)),
      env: { ...process.env, STRAND_DEBUG: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), opts.killAfterMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - start });
    });
  });
}

/** Resolves after one turn of the event loop: everything readied so far has run. */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A few event-loop turns (work deferred by the fairness budget runs too). */
export async function quiesce(turns = 3): Promise<void> {
  for (let i = 0; i < turns; i++) await turn();
}
