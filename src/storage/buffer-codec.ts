/**
 * Node's own string codecs on `Buffer`, without the argument handling of `toString` and `write`
 * (encoding lookup, range checks): keys, records and values go through them on every read and
 * write, where that handling costs as much as the copy. Offsets must be in range.
 */
export interface CodecBuffer extends Buffer {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
  /** Returns the bytes written (at most `length`). */
  utf8Write(text: string, offset: number, length: number): number;
  latin1Write(text: string, offset: number, length: number): number;
  hexWrite(text: string, offset: number, length: number): number;
}

/** The same memory as a `CodecBuffer` (no copy). */
export function codec(bytes: Uint8Array): CodecBuffer {
  return (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)) as CodecBuffer;
}

/** A new buffer of `size` bytes, not zeroed (from Node's pool when small). */
export function allocCodec(size: number): CodecBuffer {
  return Buffer.allocUnsafe(size) as CodecBuffer;
}
