/**
 * Where things are and how to talk: the repository root, the results directory, and whether
 * progress output is wanted.
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let _root: string | undefined;

/**
 * The repository root (the nearest directory above this module with strand's package.json).
 * Works both from `load-tests/lib` and from the compiled `dist/load-tests/lib`.
 *
 * @returns the absolute path.
 * @throws Error when no such package.json is found.
 * @example spawnServer(process.execPath, [join(repoRoot(), 'dist/examples/echo/main.js')])
 */
export function repoRoot(): string {
  if (_root) return _root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj)) {
      try {
        if ((JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === 'strand') return (_root = dir);
      } catch {
        // not ours; keep looking
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('load-tests: cannot find the repository root (package.json named "strand")');
    dir = up;
  }
}

/**
 * A path inside the compiled tree, e.g. `distPath('examples/echo/main.js')` →
 * `<root>/dist/examples/echo/main.js` (what scenarios start with `process.execPath`).
 *
 * @param rel path relative to dist/.
 * @returns the absolute path.
 * @example distPath('load-tests/peers/node/echo.js')
 */
export function distPath(rel: string): string {
  return join(repoRoot(), 'dist', rel);
}

/**
 * Whether to draw progress: stdout is a terminal and `CI` is not set.
 *
 * @returns true for an interactive run.
 * @example if (isInteractive()) process.stderr.write('.');
 */
export function isInteractive(): boolean {
  const ci = process.env.CI;
  return Boolean(process.stdout.isTTY) && (ci === undefined || ci === '' || ci === '0' || ci === 'false');
}

/**
 * Where built Go peers go: `<root>/load-tests/results/tmp/go` (git-ignored).
 *
 * @returns the absolute path (not created here; `buildGo` creates it).
 * @example const bin = await buildGo(join(repoRoot(), 'load-tests/peers/go/echo'), goBinDir());
 */
export function goBinDir(): string {
  return join(repoRoot(), 'load-tests', 'results', 'tmp', 'go');
}
