/**
 * strand: Go's concurrency model for Node.js servers.
 *
 * `strand` exports the runtime (goroutines, channels, select, time, sync, context);
 * `strand/net` and `strand/http` add the network layers.
 *
 * @module
 */
export * from './runtime/index.js';
