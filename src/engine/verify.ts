import type { StoreReader } from '../storage/store.js';
import { readBlob } from './blobs.js';
import { headKey, prefixEnd, readU64, splitHeadKey, splitVersionKey, splitVersionKeys, versionPrefix } from './keys.js';
import { parentsAbsentAtImport } from './lineage.js';
import { META, readNumber } from './meta.js';
import { decodeRecord, type StoredVersion } from './record.js';
import { sha256Hex } from './value.js';
import { versionIdOf } from './version-id.js';
import type { VerifyIssue, VerifyReport } from './types.js';

interface KeyWalk {
  namespace: string;
  key: string;
  ids: Map<string, number>;
  /** Nodes that wrote the versions walked so far. */
  origins: Set<string>;
  latest?: StoredVersion;
}

/**
 * Walks the whole database once, in key order: every version's value against its content hash,
 * its id against its contents, every parent link, and every head against the newest version.
 * Reports all problems instead of stopping at the first.
 */
export function verifyStore(reader: StoreReader): VerifyReport {
  const issues: VerifyIssue[] = [];
  let versionsChecked = 0;
  let keysChecked = 0;
  let walk: KeyWalk | undefined;
  const finish = (w: KeyWalk | undefined) => {
    if (!w) return;
    keysChecked++;
    checkHead(reader, w, issues);
  };
  for (const { key, value } of reader.range('versions')) {
    const where = splitVersionKey(key);
    if (!walk || walk.namespace !== where.namespace || walk.key !== where.key) {
      finish(walk);
      walk = { namespace: where.namespace, key: where.key, ids: new Map(), origins: new Set() };
    }
    versionsChecked++;
    let v: StoredVersion;
    let inline: Uint8Array | undefined;
    try {
      ({ version: v, inline } = decodeRecord(value));
    } catch {
      issues.push({ kind: 'undecodable', namespace: where.namespace, key: where.key, message: `a version record at ${where.micros} cannot be decoded` });
      continue;
    }
    checkVersion(reader, walk, v, inline, issues);
    walk.ids.set(v.versionId, v.micros);
    walk.origins.add(v.origin);
    walk.latest = v;
  }
  finish(walk);
  issues.push(...orphanHeads(reader));
  issues.push(...changeLogIssues(reader, versionsChecked));
  return { ok: issues.length === 0, versionsChecked, keysChecked, issues };
}

function checkVersion(reader: StoreReader, w: KeyWalk, v: StoredVersion, inline: Uint8Array | undefined, issues: VerifyIssue[]): void {
  const base = { namespace: w.namespace, key: w.key, versionId: v.versionId };
  const bytes = inline ?? readBlob(reader, v.contentHash);
  if (!bytes) issues.push({ ...base, kind: 'missing-value', message: `the value of version ${v.versionId} is missing` });
  else if (sha256Hex(bytes) !== v.contentHash) {
    issues.push({ ...base, kind: 'hash-mismatch', message: `the value of version ${v.versionId} does not match its content hash` });
  }
  if (versionIdOf(v.origin, w.namespace, w.key, v.micros, v.contentHash, v.deleted, v.parents) !== v.versionId) {
    issues.push({ ...base, kind: 'hash-mismatch', message: `version ${v.versionId} does not match its id (metadata altered)` });
  }
  let absentAtImport: ReadonlySet<string> | undefined;
  for (const parent of v.parents) {
    const at = w.ids.get(parent);
    if (at !== undefined && at < v.micros) continue;
    // A version imported without its parent (a shallow history) is the start of what is here.
    absentAtImport ??= parentsAbsentAtImport(reader, v.versionId);
    if (at === undefined && absentAtImport.has(parent)) continue;
    issues.push({ ...base, kind: 'broken-chain', message: `version ${v.versionId} names parent ${parent}, which is not an earlier version of this key` });
  }
  // A node starts a key's history only when it has no version of that key: a second start by the
  // same node means a lost link. Another node's start is a concurrent write, replicated or imported.
  if (v.parents.length === 0 && w.origins.has(v.origin)) {
    issues.push({ ...base, kind: 'broken-chain', message: `version ${v.versionId} has no parent but is not the first version of its node` });
  }
}

function checkHead(reader: StoreReader, w: KeyWalk, issues: VerifyIssue[]): void {
  const headBytes = reader.get('heads', headKey(w.namespace, w.key));
  const base = { namespace: w.namespace, key: w.key };
  if (!headBytes) {
    issues.push({ ...base, kind: 'head-mismatch', message: 'the key has versions but no head' });
    return;
  }
  try {
    const { version, inline } = decodeRecord(headBytes);
    if (w.latest && version.versionId !== w.latest.versionId) {
      issues.push({ ...base, kind: 'head-mismatch', versionId: version.versionId, message: `the head is ${version.versionId} but the newest version is ${w.latest.versionId}` });
    }
    if (inline && sha256Hex(inline) !== version.contentHash) {
      issues.push({ ...base, kind: 'hash-mismatch', versionId: version.versionId, message: `the current value of version ${version.versionId} does not match its content hash` });
    }
  } catch {
    issues.push({ ...base, kind: 'undecodable', message: 'the head record cannot be decoded' });
  }
}

/** Heads whose key has no versions at all (a second, cheap pass over heads). */
function orphanHeads(reader: StoreReader): VerifyIssue[] {
  const out: VerifyIssue[] = [];
  for (const { key } of reader.range('heads')) {
    const { namespace, key: k } = splitHeadKey(key);
    const prefix = versionPrefix(namespace, k);
    const first = [...reader.range('versions', { gte: prefix, lt: prefixEnd(prefix), limit: 1 })];
    if (first.length === 0) out.push({ kind: 'head-mismatch', namespace, key: k, message: 'the key has a head but no versions' });
  }
  return out;
}

/**
 * The change log (what subscriptions, resumes and other processes read): entries readable and
 * numbered without gaps up to the last seq, each naming a stored version of that seq, and every
 * stored version logged.
 */
function changeLogIssues(reader: StoreReader, versions: number): VerifyIssue[] {
  const out: VerifyIssue[] = [];
  const issue = (message: string, namespace = '', key = ''): void => void out.push({ kind: 'change-log', namespace, key, message });
  // The seq the next entry should start at; unknown after an entry that cannot be read.
  let expected: number | undefined = 1;
  let logged = 0;
  for (const { key, value } of reader.range('changes')) {
    const first = readU64(key);
    if (expected !== undefined && first !== expected) {
      if (first < expected) issue(`change ${first} is logged twice`);
      else issue(first === expected + 1 ? `change ${expected} is missing` : `changes ${expected} to ${first - 1} are missing`);
    }
    let versionKeys: Uint8Array[];
    try {
      versionKeys = splitVersionKeys(value);
    } catch {
      issue(`the entry at seq ${first} cannot be read`);
      expected = undefined;
      continue;
    }
    versionKeys.forEach((vk, i) => {
      const seq = first + i;
      const where = splitVersionKey(vk);
      const bytes = reader.get('versions', vk);
      let stored: number | undefined;
      try {
        stored = bytes && decodeRecord(bytes).version.seq;
      } catch {
        stored = undefined;
      }
      if (!bytes) issue(`change ${seq} names a version that is not stored`, where.namespace, where.key);
      else {
        logged++;
        if (stored !== undefined && stored !== seq) issue(`change ${seq} names a version recorded as change ${stored}`, where.namespace, where.key);
      }
    });
    expected = first + versionKeys.length;
  }
  const last = readNumber(reader, META.seq);
  if (expected !== undefined && expected - 1 !== last) issue(`the log ends at change ${expected - 1} but the last change is ${last}`);
  const unlogged = versions - logged;
  if (unlogged > 0) issue(`${unlogged} stored version${unlogged === 1 ? ' is' : 's are'} missing from the log`);
  return out;
}
