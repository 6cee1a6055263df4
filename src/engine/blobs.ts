import type { StoreReader } from '../storage/store.js';

/** Content-addressed values: each distinct canonical JSON text is stored once, under its SHA-256. */
export function blobKey(contentHash: string): Buffer {
  return Buffer.from(contentHash, 'hex');
}

export function readBlob(reader: StoreReader, contentHash: string): Uint8Array | undefined {
  return reader.get('blobs', blobKey(contentHash));
}
