/**
 * The net layer's internal symbols (undici's `core/symbols.js`): the one way a file of
 * src/net — or a test — reaches state of a class defined in another file. State that only its
 * own class touches is `#private` instead.
 *
 * Not exported from strand/net, and every member keyed by one of these is marked `@internal`,
 * so none reaches the published types.
 *
 * @module
 */

/**
 * @internal The static factory of a class whose constructor is private (`Conn`, `Listener`): the
 * published types show no way to construct one, as Go's net has none.
 */
export const kNew: unique symbol = Symbol('strand.net.new');

/** @internal A `Conn`'s netpoller descriptor (`PollFD`). */
export const kFD: unique symbol = Symbol('strand.net.fd');

/** @internal A `Listener`'s netpoller accept queue (`AcceptQueue`). */
export const kAcceptQueue: unique symbol = Symbol('strand.net.acceptQueue');

/** @internal The static factory of `TLSConn` (its constructor is protected). */
export const kNewTLS: unique symbol = Symbol('strand.net.newTLS');
