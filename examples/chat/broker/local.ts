/**
 * The in-process broker: one node, nothing to share. `npm start` uses it; the hub then works
 * exactly as a single-process chat (it checks nicks and answers `/who` and `/rooms` itself).
 *
 * @module
 */

import type { Broker, RoomEventData } from './types.js';

/** The default broker: a no-op, because every room lives in this process. */
export class LocalBroker implements Broker {
  readonly shared = false;
  start(): void {}
  publish(_data: RoomEventData): boolean {
    return true;
  }
  claim(): void {
    throw new Error('chat: LocalBroker.claim: a local hub checks nicks itself');
  }
  release(): void {}
  census(): void {
    throw new Error('chat: LocalBroker.census: a local hub answers /who and /rooms itself');
  }
  presenceChanged(): void {}
  async stop(): Promise<void> {}
}
