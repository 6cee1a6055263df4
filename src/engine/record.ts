import { Packr } from 'msgpackr';

/**
 * The stored form of a version: a format byte, then a msgpack tuple
 * `[versionId:bin16, micros, parents:bin16[], contentHash:bin32, deleted, origin, seq, value?:bin]`.
 * The value is inlined only in heads records (and only when small); history keeps it once per
 * distinct content in `blobs`.
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

const FORMAT = 1;
const packr = new Packr({ useRecords: false, moreTypes: false });

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

export function encodeRecord(v: StoredVersion, inline?: Uint8Array): Buffer {
  const tuple: unknown[] = [
    Buffer.from(v.versionId, 'hex'), v.micros, v.parents.map((p) => Buffer.from(p, 'hex')),
    Buffer.from(v.contentHash, 'hex'), v.deleted, v.origin, v.seq,
  ];
  if (inline) tuple.push(inline);
  const body = packr.pack(tuple);
  const out = Buffer.allocUnsafe(body.length + 1);
  out[0] = FORMAT;
  body.copy(out, 1);
  return out;
}

export class RecordFormatError extends Error {}

export function decodeRecord(bytes: Uint8Array): DecodedRecord {
  if (bytes[0] !== FORMAT) throw new RecordFormatError(`unknown record format ${bytes[0]}`);
  const t = packr.unpack(bytes.subarray(1)) as unknown[];
  if (!Array.isArray(t) || t.length < 7) throw new RecordFormatError('truncated record');
  const [vid, micros, parents, contentHash, deleted, origin, seq, inline] = t as [
    Uint8Array, number, Uint8Array[], Uint8Array, boolean, string, number, Uint8Array | undefined,
  ];
  return {
    version: {
      versionId: hex(vid), micros, parents: parents.map(hex), contentHash: hex(contentHash),
      deleted, origin, seq,
    },
    inline,
  };
}
