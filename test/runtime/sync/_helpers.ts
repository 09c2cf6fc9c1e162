/** Helpers shared by the sync tests. */

import { goroutines } from '../../../src/index.js';

export { quiesce, turn } from '../_spawn.js';

/** Wait reason of goroutine `id`, or undefined if it is not waiting. */
export function reasonOf(id: number): string | undefined {
  const g = goroutines().find((x) => x.id === id);
  return g?.state === 'waiting' ? g.waitReason : undefined;
}

/** Calls `f` and returns what it throws (fails the caller's assertion if nothing). */
export function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}
