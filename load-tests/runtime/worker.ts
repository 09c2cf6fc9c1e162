/**
 * Child process of the runtime benchmark: measures one case of one implementation and prints
 * one JSON line of metrics. Each measurement runs in a fresh process so that implementations do
 * not share a JIT state or a heap.
 *
 *   node --expose-gc dist/load-tests/runtime/worker.js <impl> <case> <arg>
 *
 * `<impl>` may end in `-hook` (strand with `STRAND_ATTRIBUTION=resume-hook`).
 * `<case>` is pingpong | buffered | select (arg = target duration in ms) or parked (arg = number
 * of goroutines).
 *
 * @module
 */
import { pathToFileURL } from 'node:url';
import { measureSpeed, type Impl } from './measure.js';

/** Loads an implementation by name (lazily: a peer that fails to load affects only itself). */
export async function loadImpl(name: string): Promise<Impl> {
  // `-hook`: strand with the resume-hook attribution forced (the Node 20 mechanism), to compare
  // with AsyncContextFrame on the same line. Read once, when strand is first imported.
  if (name.endsWith('-hook')) {
    process.env.STRAND_ATTRIBUTION = 'resume-hook';
    name = name.slice(0, -'-hook'.length);
  }
  switch (name) {
    case 'strand':
      return (await import('./impl-strand.js')).strand;
    case 'strand-await':
      return (await import('./impl-strand.js')).strandAwait;
    case 'floor':
      return (await import('./impl-floor.js')).floor;
    case 'floor-await':
      return (await import('./impl-floor.js')).floorAwait;
    case 'js-csp':
      return (await import('./peer-jscsp.js')).jscsp;
    case 'medium':
      return (await import('./peer-medium.js')).medium;
    case '@thi.ng/csp':
      return (await import('./peer-thing.js')).thing;
    case 'ts-chan':
      return (await import('./peer-tschan.js')).tschan;
    default:
      throw new Error(`runtime bench: unknown implementation ${name}`);
  }
}

async function main(): Promise<void> {
  const [impl, kase, arg] = process.argv.slice(2);
  if (impl === undefined || kase === undefined || arg === undefined) {
    process.stderr.write('usage: worker.js <impl> <pingpong|buffered|select|parked> <targetMs|n>\n');
    process.exit(2);
  }
  const m = await loadImpl(impl);
  let out: Record<string, number>;
  if (kase === 'parked') {
    if (m.parked === undefined) throw new Error(`${impl} has no parked case`);
    out = await m.parked(Number(arg));
  } else if (kase === 'pingpong' || kase === 'buffered' || kase === 'select') {
    const f = m[kase];
    if (f === undefined) throw new Error(`${impl} has no ${kase} case`);
    out = await measureSpeed(f, Number(arg));
  } else {
    throw new Error(`unknown case ${kase}`);
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
