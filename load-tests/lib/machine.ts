/**
 * The machine a result was measured on, recorded in every results JSON.
 *
 * @module
 */
import { cpus, totalmem, type as osType, release, arch } from 'node:os';
import { goToolchain } from './go.js';

/** Where a run happened. */
export interface MachineInfo {
  /** CPU model, e.g. "AMD EPYC". */
  cpuModel: string;
  /** Logical cores. */
  cores: number;
  /** Total memory, GiB (one decimal). */
  memoryGb: number;
  /** OS, e.g. "Linux 6.1.0 x64". */
  os: string;
  /** Node version, e.g. "v20.20.2". */
  node: string;
  /** V8 version. */
  v8: string;
  /** Go version ("go1.19.8"), or null when Go is not installed. */
  go: string | null;
}

/**
 * Describes this machine and its toolchains.
 *
 * @returns CPU model, cores, memory, OS, Node, V8 and Go versions.
 * @example const m = machineInfo(); console.log(`${m.cores} × ${m.cpuModel}`);
 */
export function machineInfo(): MachineInfo {
  const cs = cpus();
  const go = goToolchain();
  return {
    cpuModel: cs[0]?.model.trim() ?? 'unknown',
    cores: cs.length,
    memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    os: `${osType()} ${release()} ${arch()}`,
    node: process.version,
    v8: process.versions.v8,
    go: go.available ? (go.short ?? null) : null,
  };
}
