/**
 * The Go toolchain, for the Go peers of the load tests (load-tests/peers/go/<name>/main.go).
 *
 * Go is optional: when `go` is not on PATH, scenarios skip their Go peer and add a note saying so
 * (`apt-get install -y golang-go` on Debian installs it). Builds never download anything
 * (`GOTOOLCHAIN=local`; no go.mod needed: each peer is one `main`
 * package using only the standard library).
 *
 * @module
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const _execFile = promisify(execFile);

/** What {@link goToolchain} found. */
export interface GoToolchain {
  /** Whether a working `go` is on PATH. */
  available: boolean;
  /** `go version` output, e.g. "go version go1.19.8 linux/amd64" (when available). */
  version?: string;
  /** The short version, e.g. "go1.19.8" (when available). */
  short?: string;
  /** Why it is not available, for the scenario's notes. */
  reason?: string;
}

let _cached: GoToolchain | undefined;

/** Environment for go commands: no toolchain downloads, a writable cache even without $HOME. */
function _goEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, GOTOOLCHAIN: 'local' };
  if (!env.HOME && !env.GOCACHE) env.GOCACHE = join(tmpdir(), 'strand-go-cache');
  return env;
}

/**
 * Is `go` installed? Runs `go version` once per process (the answer is cached).
 *
 * @returns availability, version, or the reason it is missing.
 * @example const go = goToolchain(); if (!go.available) notes.push(`Go peer skipped: ${go.reason}`);
 */
export function goToolchain(): GoToolchain {
  if (_cached) return _cached;
  try {
    const version = execFileSync('go', ['version'], { encoding: 'utf8', env: _goEnv(), timeout: 10_000 }).trim();
    _cached = { available: true, version, short: /go\d+(\.\d+)*/.exec(version)?.[0] ?? version };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    _cached = {
      available: false,
      reason: err.code === 'ENOENT' ? '`go` is not installed (Debian: apt-get install -y golang-go)' : `\`go version\` failed: ${err.message}`,
    };
  }
  return _cached;
}

/**
 * Builds the Go program in `srcDir` (its .go files, package main, standard library only) into
 * `outDir/<name of srcDir>`. Skips the build when the binary is newer than every source file.
 *
 * @param srcDir the directory of the Go sources, e.g. `load-tests/peers/go/echo`.
 * @param outDir where to put the binary (created if missing), e.g. `load-tests/results/tmp/go`.
 * @returns the absolute path of the binary.
 * @throws Error when Go is not available or the build fails (with the compiler's output).
 * @example const bin = await buildGo('load-tests/peers/go/echo', 'load-tests/results/tmp/go');
 */
export async function buildGo(srcDir: string, outDir: string): Promise<string> {
  const tc = goToolchain();
  if (!tc.available) throw new Error(`load-tests: cannot build ${srcDir}: ${tc.reason}`);
  const src = resolve(srcDir);
  const files = readdirSync(src).filter((f) => f.endsWith('.go') && !f.endsWith('_test.go'));
  if (files.length === 0) throw new Error(`load-tests: no .go files in ${src}`);
  mkdirSync(resolve(outDir), { recursive: true });
  const bin = join(resolve(outDir), basename(src));
  try {
    const built = statSync(bin).mtimeMs;
    if (files.every((f) => statSync(join(src, f)).mtimeMs < built)) return bin;
  } catch {
    // not built yet
  }
  try {
    await _execFile('go', ['build', '-o', bin, ...files], { cwd: src, env: _goEnv(), timeout: 300_000, maxBuffer: 1 << 22 });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`load-tests: go build in ${src} failed: ${err.stderr || err.message}`);
  }
  return bin;
}
