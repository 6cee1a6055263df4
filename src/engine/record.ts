import { allocCodec, codec } from '../storage/buffer-codec.js';

/**
 * The stored form of a version, a fixed binary layout read without a general-purpose decoder
 * (reading a current value is the hottest path of the engine):
 *
 *   0      format (2)
 *   1      flags: bit 0 deleted
 *   2..9   micros, float64 BE (integers stay exact below 2^53)
 *   10..17 seq, float64 BE
 *   18..49 versionId, 32 ASCII hex digits
 *   50..113 contentHash, 64 ASCII hex digits
 *   114    origin length n, then n ASCII bytes
 *   ..     parent count (u16 BE), then 32 ASCII hex digits each
 *   ..     the value's canonical JSON bytes, to the end, when at most INLINE_MAX_BYTES (else the
 *          value is in `blobs` under its hash). Head and version records of a version are the same bytes.
 *
 * Ids are kept as ASCII hex because they leave the engine as hex strings on every read.
 */
export interface StoredVersion {
  versionId: string;
  micros: number;
  /** Every version this one superseded: one normally, several after a merge, none for the first. */
  parents: string[];
  contentHash: string;
  deleted: boolean;
  /** Node id of the node that made the write. */
  origin: string;
  /** Local change-log sequence number. */
  seq: number;
}

export interface DecodedRecord {
  version: StoredVersion;
  /** Canonical JSON bytes when stored inline. */
  inline?: Uint8Array;
}

const FORMAT = 2;
const FIXED = 115;

export class RecordFormatError extends Error {}

export function encodeRecord(v: StoredVersion, inline?: Uint8Array): Buffer {
  const size = FIXED + v.origin.length + 2 + 32 * v.parents.length + (inline?.length ?? 0);
  const out = allocCodec(size);
  out[0] = FORMAT;
  out[1] = v.deleted ? 1 : 0;
  out.writeDoubleBE(v.micros, 2);
  out.writeDoubleBE(v.seq, 10);
  out.latin1Write(v.versionId, 18, 32);
  out.latin1Write(v.contentHash, 50, 64);
  out[114] = v.origin.length;
  let at = FIXED + out.latin1Write(v.origin, FIXED, 255);
  out.writeUInt16BE(v.parents.length, at);
  at += 2;
  for (const p of v.parents) at += out.latin1Write(p, at, 32);
  if (inline) out.set(inline, at);
  return out;
}

/** Where a record's origin ends (its parent count follows), checking the record's format and size. */
function originEndOf(b: Uint8Array): number {
  if (b.length < FIXED + 2 || b[0] !== FORMAT) throw new RecordFormatError(`unknown or truncated record (format ${b[0]}, ${b.length} bytes)`);
  return FIXED + b[114];
}

/** Where the parent ids end and the inline value starts (the record's length when there is none). */
function idsEndOf(b: Uint8Array, originEnd: number): number {
  const end = originEnd + 2 + 32 * ((b[originEnd] << 8) | b[originEnd + 1]);
  if (end > b.length) throw new RecordFormatError('truncated record');
  return end;
}

/** Where the inline value starts (the record's length when there is none). */
export function inlineOffset(bytes: Uint8Array): number {
  return idsEndOf(bytes, originEndOf(bytes));
}

export function decodeRecord(bytes: Uint8Array): DecodedRecord {
  const b = codec(bytes);
  const originEnd = originEndOf(b);
  const end = idsEndOf(b, originEnd);
  const count = (end - originEnd - 2) / 32;
  // Every id is ASCII: one decode of the whole id area, then substrings of it (cheap views in V8).
  const text = b.latin1Slice(18, end);
  const parents = new Array<string>(count);
  for (let i = 0, at = originEnd + 2 - 18; i < count; i++, at += 32) parents[i] = text.slice(at, at + 32);
  const version: StoredVersion = {
    versionId: text.slice(0, 32),
    micros: b.readDoubleBE(2),
    parents,
    contentHash: text.slice(32, 96),
    deleted: (b[1] & 1) === 1,
    origin: text.slice(FIXED - 18, originEnd - 18),
    seq: b.readDoubleBE(10),
  };
  return { version, inline: end < b.length ? b.subarray(end) : undefined };
}

/** What reading a current value needs of a record (`get`'s hot path): no origin, seq or parent list. */
export interface HeadFields {
  versionId: string;
  contentHash: string;
  /** The first parent: the version this one superseded. */
  previousVersion: string | null;
  micros: number;
  deleted: boolean;
}

/** `decodeRecord` cut down to `HeadFields` and the inline bytes, with fewer objects made. */
export function decodeHead(bytes: Uint8Array): { head: HeadFields; inline: Uint8Array | undefined } {
  const b = codec(bytes);
  const originEnd = originEndOf(b);
  const end = idsEndOf(b, originEnd);
  const ids = b.latin1Slice(18, 114);
  const head: HeadFields = {
    versionId: ids.slice(0, 32),
    contentHash: ids.slice(32, 96),
    previousVersion: end > originEnd + 2 ? b.latin1Slice(originEnd + 2, originEnd + 34) : null,
    micros: b.readDoubleBE(2),
    deleted: (b[1] & 1) === 1,
  };
  return { head, inline: end < b.length ? b.subarray(end) : undefined };
}
