/**
 * Go's package bufio over strand's Reader/Writer interfaces (a Conn, or anything else that
 * implements them): a buffered {@link Reader} (`readString`, `readLine`, `readBytes`, `peek`...),
 * a buffered {@link Writer} (`write`, `flush`), and a {@link Scanner} that splits a stream into
 * lines or words with a maximum token size. One concept per file, as Go splits bufio.go and
 * scan.go: `reader.ts`, `writer.ts`, `scan.ts`; the errors and their codes are net's
 * (`../errors.ts`). This file only re-exports: it is the `bufio` namespace of strand/net.
 *
 * Every operation first works with what is buffered and returns a plain value when it can;
 * only when it must read (or write) through does it return a promise. End of stream is `null`.
 * Slices returned by `readSlice`, `peek`, `readLine` and `Scanner.bytes()` point into the buffer
 * and are valid only until the next call on the same object; the others are copies.
 *
 * @module
 */

export { bufioCodes, ErrBufferFull, ErrTooLong, ErrNegativeCount, ErrNoProgress } from '../errors.js';
export { DEFAULT_BUF_SIZE, Reader } from './reader.js';
export { Writer } from './writer.js';
export { MAX_SCAN_TOKEN_SIZE, scanLines, scanWords, scanBytes, Scanner, type SplitFunc } from './scan.js';
