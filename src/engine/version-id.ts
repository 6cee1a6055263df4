import { microsText } from './time.js';
import { sha256Hex } from './value.js';

/**
 * A version's id is derived from everything that makes it what it is, so every replica computes
 * the same id and `verify` can tell when stored metadata was altered. 128 bits of SHA-256.
 */
export function versionIdOf(origin: string, namespace: string, key: string, micros: number, contentHash: string, deleted: boolean, parents: readonly string[]): string {
  // Names never contain control characters, so newlines separate the fields unambiguously.
  return sha256Hex(`${origin}\n${namespace}\n${key}\n${microsText(micros)}\n${contentHash}\n${deleted ? 1 : 0}\n${parents.join(',')}`).slice(0, 32);
}
