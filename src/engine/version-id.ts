import { sha256Hex } from './value.js';

/**
 * A version's id is derived from everything that makes it what it is, so every replica computes
 * the same id and `verify` can tell when stored metadata was altered. 128 bits of SHA-256.
 */
export function versionIdOf(origin: string, namespace: string, key: string, micros: number, contentHash: string, deleted: boolean, parents: readonly string[]): string {
  return sha256Hex(JSON.stringify([origin, namespace, key, micros, contentHash, deleted, parents])).slice(0, 32);
}
