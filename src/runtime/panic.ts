/**
 * Printing a panic the way Go does, and dying: `panic: <message>`, the goroutine's id and stack,
 * `exit status 2`. Also the names the dump shows for a goroutine (its function, its creation
 * site).
 *
 * Invariant: everything here writes synchronously (`writeSync`) before `process.exit`, so nothing
 * is lost on the way out.
 *
 * @module
 */

import { writeSync } from 'node:fs';
import type { G } from './waiter.js';

/** @internal Writes `text` to stderr synchronously and exits with `status`. */
export function die(text: string, status: number): never {
  try {
    writeSync(2, text);
  } catch {
    // stderr closed: nothing more we can do
  }
  process.exit(status);
}

/** @internal Formats a panic value the way Go prints it after `panic: `. */
export function panicMessage(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return err.name === 'Error' || err.name === 'StrandError' || code === undefined
      ? err.message
      : `${err.name}: ${err.message}`;
  }
  try {
    return String(err);
  } catch {
    return Object.prototype.toString.call(err);
  }
}

/** @internal Prints the panic of goroutine `g` with `err` and exits with status 2. */
export function panic(g: G, err: unknown): never {
  let text = `panic: ${panicMessage(err)}\n\ngoroutine ${g.id} [running]:\n`;
  if (err instanceof Error && typeof err.stack === 'string') {
    const lines = err.stack.split('\n');
    const frames = lines.filter((l) => l.startsWith('    at '));
    text += (frames.length > 0 ? frames.map((l) => l.slice(4)).join('\n') : err.stack) + '\n';
  } else {
    text += `${fnName(g)}(...)\n`;
  }
  if (g.createdAt !== null) text += createdBy(g) + '\n';
  die(text + 'exit status 2\n', 2);
}

/** @internal The function name shown for a goroutine. */
export function fnName(g: G): string {
  return g.fnName !== '' ? g.fnName : 'anonymous';
}

/** @internal "created by ..." line from the debug-mode creation site. */
export function createdBy(g: G): string {
  return g.createdAt ?? '';
}

/**
 * @internal The "created by ..." line of a stack captured in `go` (debug mode). Formatted at
 * once: an unformatted V8 stack holds its frames' functions and receivers, and through their
 * closures whatever channel the creator had in scope (see leak.ts).
 */
export function creationSite(stack: string | undefined): string {
  if (stack === undefined) return '';
  // Frame 0 is "Error: created by", frame 1 is go() itself, frame 2 the caller.
  const frames = stack.split('\n').filter((l) => l.startsWith('    at '));
  const site = frames[1] ?? frames[0] ?? '';
  return `created by ${site.trim().replace(/^at /, '')}`;
}
