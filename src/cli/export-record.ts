import { checkKey, checkNamespace } from '../engine/names.js';
import { toMicros } from '../engine/time.js';

/**
 * The shape of one line of `kdelta export`, checked before anything is written so a malformed
 * file can be refused whole. The database still checks each value against its hash and each
 * version id on import; this only catches what can be seen in the record itself.
 */

const VERSION_ID = /^[0-9a-f]{32}$/;
const HASH = /^[0-9a-f]{64}$/;
const NODE_ID = /^[A-Za-z0-9_.-]{1,64}$/;

type Fields = Record<string, unknown>;

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

function wrongString(r: Fields, field: string, pattern: RegExp, what: string): string | undefined {
  const v = r[field];
  if (v === undefined) return `"${field}" is missing`;
  if (typeof v !== 'string') return `"${field}" must be ${what}, got ${typeName(v)}`;
  return pattern.test(v) ? undefined : `"${field}" must be ${what}, got ${JSON.stringify(v.slice(0, 80))}`;
}

function wrongName(r: Fields): string | undefined {
  for (const field of ['namespace', 'key']) {
    if (r[field] === undefined) return `"${field}" is missing`;
    if (typeof r[field] !== 'string') return `"${field}" must be a string, got ${typeName(r[field])}`;
  }
  try {
    checkNamespace(r.namespace);
    checkKey(r.namespace, r.key);
  } catch (err) {
    return (err as Error).message;
  }
  return undefined;
}

function wrongTimestamp(r: Fields): string | undefined {
  const t = r.timestamp;
  if (t === undefined) return '"timestamp" is missing';
  if (typeof t !== 'string') return `"timestamp" must be a string, got ${typeName(t)}`;
  try {
    toMicros(t);
  } catch {
    return `"timestamp" is not a valid time: ${JSON.stringify(t.slice(0, 80))}`;
  }
  return undefined;
}

function wrongChain(r: Fields): string | undefined {
  const { previousVersion: previous, parents, deleted } = r;
  if (previous !== undefined && previous !== null && !(typeof previous === 'string' && VERSION_ID.test(previous))) {
    return '"previousVersion" must be a version id (32 hex digits) or null';
  }
  if (parents !== undefined && !(Array.isArray(parents) && parents.every((p) => typeof p === 'string' && VERSION_ID.test(p)))) {
    return '"parents" must be an array of version ids (32 hex digits)';
  }
  if (deleted !== undefined && typeof deleted !== 'boolean') return `"deleted" must be true or false, got ${typeName(deleted)}`;
  if (deleted !== true && !Object.hasOwn(r, 'value')) return '"value" is missing';
  return undefined;
}

function problem(item: unknown): string | undefined {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return 'a JSON object';
  const r = item as Fields;
  return wrongName(r)
    ?? wrongString(r, 'versionId', VERSION_ID, 'a version id (32 hex digits)')
    ?? wrongString(r, 'contentHash', HASH, 'a SHA-256 hash (64 hex digits)')
    ?? wrongTimestamp(r)
    ?? wrongString(r, 'origin', NODE_ID, 'a node id')
    ?? wrongChain(r);
}

/** What is wrong with a parsed line as an exported version (`expected an exported version (…)`), if anything. */
export function checkExportRecord(item: unknown): string | undefined {
  const wrong = problem(item);
  return wrong === undefined ? undefined : `expected an exported version (${wrong})`;
}
