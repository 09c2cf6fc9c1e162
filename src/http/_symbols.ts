/**
 * @internal The HTTP layer's symbols: the one module that names the internals one file of
 * src/http shares with another (undici's `core/symbols.js` is the model).
 *
 * How src/http hides what is not public, in one rule:
 * - State and helpers a class keeps to itself are `#private`.
 * - A member another file of the layer must reach is keyed by a symbol from this module and
 *   marked `/** @internal *\/` (so `stripInternal` keeps it out of the published `.d.ts`). Users
 *   never see the symbols: no entry point re-exports this module.
 * - A function another file needs is exported `/** @internal *\/` from the file of its concept
 *   and never re-exported by an entry point.
 *
 * Each symbol says who writes it and who reads it.
 *
 * How to import them: `import * as sym from './_symbols.js'`, then one module-local
 * `const kX: typeof sym.kX = sym.kX;` per symbol the file uses, and `obj[kX]` with that local.
 * V8 does not treat an imported binding as a constant, so `obj[kX]` with an imported `kX` is a
 * generic keyed access: measured under callgrind on Node 20, a symbol-keyed store in a
 * constructor cost 72 instructions through an import and 8 through a module-local const (a call
 * `obj[kX]()` 57 and 11; natively ~9 ns per store on Node 20 and 24, ~8 ns per call on 20). The
 * request path makes several such accesses per request. For the same reason a symbol-keyed field
 * is written `declare [kX]: T;` and assigned in the constructor: with an initializer, TypeScript
 * (under `useDefineForClassFields: false`) hoists the key into a module `var` and stores through
 * it.
 *
 * @module
 */

/** @internal `Request[kParams]`: path wildcard names and values `[name0, value0, ...]` or null; written by ServeMux (and `setPathValue`), read by `pathValue`. */
export const kParams = Symbol('strand.http.request.params');
/** @internal `Request[kPattern]`: the ServeMux pattern that matched, or ""; written by ServeMux. */
export const kPattern = Symbol('strand.http.request.pattern');
/** @internal `Request[kHandlerDone]()`: the server says the handler returned (cancels the request context). */
export const kHandlerDone = Symbol('strand.http.request.handlerDone');

/** @internal `ResponseWriter[kFinish]()`: ends the response once its handler returned (the server, the Fastify plugin). */
export const kFinish = Symbol('strand.http.response.finish');
/** @internal `ResponseWriter[kReset](status, body)`: replaces an unsent response by an error response (the server's recovery). */
export const kReset = Symbol('strand.http.response.reset');

/** @internal `Request[kUnreadContinue]`: an `Expect: 100-continue` request whose body was not read to its end (the server closes the connection after the response). */
export const kUnreadContinue = Symbol('strand.http.request.unreadContinue');

/** @internal `BodyReader[kSendContinue](res)`: written by Request for an `Expect: 100-continue` request; the first read sends `100 Continue` on `res`. */
export const kSendContinue = Symbol('strand.http.body.sendContinue');
/** @internal `BodyReader[kEOF]`: true once the body was read to its end (the client keeps the connection then; the server's 100-continue check). */
export const kEOF = Symbol('strand.http.body.eof');

/** @internal Tags an accepted socket with the server state that tracks it (server.ts only). */
export const kServer = Symbol('strand.http.server');

/** @internal The strand state of a Fastify instance (fastify/index.ts only). */
export const kApp = Symbol('strand.fastify.app');
/** @internal `FastifyRequest[kReqState]`: the state behind `request.context` (fastify/index.ts only). */
export const kReqState = Symbol('strand.fastify.requestState');
/** @internal `FastifyRequest[kReqReply]`: the request's reply, for client-abort detection (fastify/index.ts only). */
export const kReqReply = Symbol('strand.fastify.requestReply');
/** @internal Marks a route handler the Fastify plugin already wrapped (fastify/index.ts only). */
export const kWrapped = Symbol('strand.fastify.wrapped');

/** @internal `IncomingMessage[kUpgrade]`: `{ socket, head }` of an upgrade request, set by the server's (or the Fastify plugin's) 'upgrade' listener, read by `websocket.accept`. */
export const kUpgrade = Symbol('strand.http.upgrade');
/** @internal `ResponseWriter[kHijack]()`: the connection was taken over (a WebSocket): the writer no longer ends the response. */
export const kHijack = Symbol('strand.http.response.hijack');
