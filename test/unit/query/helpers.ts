/** Shared helpers of the query unit tests. */
import assert from 'node:assert/strict';
import type { JsonValue } from '../../../src/engine/types.js';
import type { QueryRecord } from '../../../src/query/index.js';

/** Asserts `fn` throws INVALID_QUERY whose message mentions every fragment (e.g. the filter path). */
export function assertInvalid(fn: () => unknown, ...fragments: string[]): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof Error, 'expected an Error');
    assert.equal((err as { code?: unknown }).code, 'INVALID_QUERY', err.message);
    for (const f of fragments) assert.ok(err.message.includes(f), `"${err.message}" should mention "${f}"`);
    return true;
  });
}

/** Records in key order, keys `k000`, `k001`... unless given as [key, value] pairs. */
export function records(values: ReadonlyArray<JsonValue | [string, JsonValue]>, asPairs = false): QueryRecord[] {
  return values.map((v, i) => {
    const [key, value] = asPairs ? (v as [string, JsonValue]) : [`k${String(i).padStart(3, '0')}`, v as JsonValue];
    return { key, value, versionId: `v${i}`, timestamp: `2026-01-01T00:00:00.${String(i).padStart(6, '0')}Z` };
  });
}

export function keysOf(result: { records: QueryRecord[] }): string[] {
  return result.records.map((r) => r.key);
}
