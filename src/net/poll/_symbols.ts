/**
 * The netpoller's internal property keys: the one place where a member that another file of
 * `src/net/poll` must reach is named (undici's `core/symbols.js` is the model). A member used by
 * one class only is `#private` instead. None of these is part of a published type.
 *
 * V8 treats a symbol key as an ordinary property name (same hidden-class slot, same inline
 * caches), so the read and write fast paths cost the same as with string keys.
 *
 * @module
 */

/** The property of a socket that holds its PollFD. */
export const kFD: unique symbol = Symbol('strand.pollFD');

// ---- a PollFD's state (state.ts), shared by the files that read, write, splice and listen ----

/** @internal State bits (state.ts). */
export const kState: unique symbol = Symbol('strand.poll.state');
/** @internal Data received and not yet read (zero-copy), or null. */
export const kChunk: unique symbol = Symbol('strand.poll.chunk');
/** @internal Offset of the unread part of `kChunk`. */
export const kOff: unique symbol = Symbol('strand.poll.off');
/** @internal Sticky socket error, reported once the kept data is read. */
export const kErr: unique symbol = Symbol('strand.poll.err');
/** @internal The parked (or last parked) reader's IOWait, reused. */
export const kReader: unique symbol = Symbol('strand.poll.reader');
/** @internal The parked (or last parked) writer's IOWait, reused. */
export const kWriter: unique symbol = Symbol('strand.poll.writer');
/** @internal Rarely used state (state.ts `Extra`), null until needed. */
export const kExtra: unique symbol = Symbol('strand.poll.extra');
/** @internal The owner that wraps errors (net's Conn), or null. */
export const kOwner: unique symbol = Symbol('strand.poll.owner');

// ---- the callbacks the poller makes on its owners (net's Conn, Listener and dial) ----

/** @internal `PollOwner`/`AcceptOwner`/`DialOwner`: wraps a poller error for an operation. */
export const kOpError: unique symbol = Symbol('strand.poll.opError');
/** @internal `PollOwner`: the socket is about to lose its handle. */
export const kBeforeGone: unique symbol = Symbol('strand.poll.beforeGone');
/** @internal `AcceptOwner`/`DialOwner`: wraps a connected socket. */
export const kNewConn: unique symbol = Symbol('strand.poll.newConn');
/** @internal `AcceptOwner`: the server listens. */
export const kListening: unique symbol = Symbol('strand.poll.listening');

/** @internal `PacketOwner`: makes the result of a datagram read from its length and sender. */
export const kPacket: unique symbol = Symbol('strand.poll.packet');
