/**
 * Shared utilities for load-test scenarios (load-tests/<name>/scenario.ts). Import from here:
 * `import { spawnServer, sampleProcess, median } from '../lib/index.js'`.
 *
 * These signatures are stable; scenarios depend on them.
 *
 * Servers under test (strand, raw Node, Go peers):
 * - The READY convention: a server takes its address from argv/env (127.0.0.1, port 0 or a given
 *   port) and prints `READY <port>` on stdout once listening.
 * - `spawnServer(cmd, args, { env?, cwd?, readyLine?, readyPort?, timeoutMs?, graceMs?, onStderr?,
 *   onStdout?, name? }) → Promise<ServerProcess>`; `ServerProcess { pid, port, child, exited,
 *   stderrTail(), stop() }`; `stop()` is SIGTERM, then SIGKILL after `graceMs`.
 * - `waitForPort(port, { timeoutMs?, host?, exited? })`, `freePort()`, `killAllServers()` (also
 *   run on process exit, so no server outlives the harness).
 *
 * Measuring:
 * - `sampleProcess(pid, { intervalMs? }) → { reset(), stop(): ProcessStats }` with
 *   `ProcessStats { cpuPct, cpuPctMax, rssMb, rssMbAvg, rssMbLast, samples }`; `readProc(pid)`.
 * - `runAutocannon({ url, connections, duration, pipelining?, ... }, { progress? })
 *   → Promise<{ rps, p50_ms, p90_ms, p99_ms, max_ms, mb_s, requests, errors, timeouts, non2xx }>`.
 * - `median(xs)`, `percentile(xs, p)`, `percentiles(xs, ps)`, `mean(xs)`, `medianMetrics(reps)`.
 *
 * Reporting:
 * - `markdownTable(rows, columns)`, `rowsTable(rows, { metrics, baseline?, ratioMetric? })`,
 *   `ratiosByCase(rows, baseline, metric)`, `formatNumber(v, digits?)`.
 * - `machineInfo() → { cpuModel, cores, memoryGb, os, node, v8, go }`.
 *
 * Go peers (load-tests/peers/go/<name>/main.go):
 * - `goToolchain() → { available, version?, short?, reason? }`; `buildGo(srcDir, outDir) →
 *   Promise<binaryPath>` (skip the Go peer with a note when `available` is false).
 *
 * Paths and display: `repoRoot()`, `distPath(rel)`, `goBinDir()`; `isInteractive()`;
 * `startProgress(label, totalMs, enabled) → { update(detail), done() }` (a stderr progress bar
 * for phases without autocannon's).
 *
 * @module
 */
export type { Scenario, ScenarioOptions, ScenarioResult, Row } from './types.js';
export { spawnServer, waitForPort, freePort, killAllServers, type SpawnServerOptions, type ServerProcess } from './server.js';
export { sampleProcess, readProc, type ProcessSampler, type ProcessStats, type ProcReading } from './sample.js';
export { median, percentile, percentiles, mean, medianMetrics } from './stats.js';
export { markdownTable, rowsTable, ratiosByCase, formatNumber, type Column, type MetricColumn } from './table.js';
export { goToolchain, buildGo, type GoToolchain } from './go.js';
export { machineInfo, type MachineInfo } from './machine.js';
export { runAutocannon, type AutocannonOptions, type AutocannonMetrics } from './autocannon.js';
export { repoRoot, distPath, goBinDir, isInteractive } from './env.js';
export { startProgress, type Progress } from './progress.js';
