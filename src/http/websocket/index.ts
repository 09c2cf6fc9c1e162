/**
 * strand/http's `websocket` namespace: WebSocket connections accepted inside HTTP handlers, with
 * blocking-style `readMessage`/`writeMessage` (the `ws` package does the framing). See accept.ts
 * for how an upgrade reaches a handler and conn.ts for flow control and bounds.
 *
 * @module
 */
export { accept, DEFAULT_MAX_PAYLOAD, type AcceptOptions } from './accept.js';
export { WebSocketConn, DEFAULT_WRITE_BUFFER_BYTES, type Message, type MessageType } from './conn.js';
