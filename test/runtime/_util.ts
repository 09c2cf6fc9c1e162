/**
 * Helpers shared by the runtime tests: waiting for the microtask queue to drain, and running a
 * fixture program (test/fixtures/runtime/*.ts, compiled next to this file's dist twin) in a child
 * process.
 */

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Resolves after one turn of the event loop (setImmediate): every microtask queued before it —
 * every goroutine readied so far and everything they do without parking — has run.
 */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A few event-loop turns: enough for work deferred by the fairness budget to run too. */
export async function quiesce(turns = 3): Promise<void> {
  for (let i = 0; i < turns; i++) await turn();
}

/** The result of a fixture run. */
export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Absolute path of a compiled fixture, e.g. `fixturePath('deadlock')`. */
export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`../fixtures/runtime/${name}.js`, import.meta.url));
}

/** Options for {@link runFixture}. */
export interface RunOptions {
  /** Extra arguments after the script path. */
  args?: string[];
  /** Extra node flags before the script path. */
  nodeArgs?: string[];
  /** Environment overrides. */
  env?: Record<string, string>;
  /** Called with each stdout chunk (and the child) as it arrives, e.g. to send a signal. */
  onStdout?: (chunk: string, child: import('node:child_process').ChildProcess, all: string) => void;
  /** Called with each stderr chunk as it arrives. */
  onStderr?: (chunk: string, child: import('node:child_process').ChildProcess, all: string) => void;
  /** Kill the child after this many ms (default 20000). */
  killAfterMs?: number;
}

/** Runs a fixture with `process.execPath` and collects its exit status and output. */
export function runFixture(name: string, opts: RunOptions = {}): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), fixturePath(name), ...(opts.args ?? [])], {
      env: { ...process.env, STRAND_DEBUG: '', ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      stdout += d;
      opts.onStdout?.(d, child, stdout);
    });
    child.stderr.on('data', (d: string) => {
      stderr += d;
      opts.onStderr?.(d, child, stderr);
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), opts.killAfterMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
