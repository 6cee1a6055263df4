import { randomBytes } from 'node:crypto';
import { statSync, type Stats } from 'node:fs';
import { resolve } from 'node:path';
import { InvalidValueError } from '../errors.js';
import type { Store } from '../storage/store.js';
import { META } from './meta.js';

/** Reads the node id, creating it (once, even with several processes racing) on first open. */
export async function ensureNodeId(store: Store): Promise<string> {
  const existing = store.get('meta', META.nodeId);
  if (existing) return Buffer.from(existing).toString('utf8');
  return store.transaction((txn) => {
    const raced = txn.get('meta', META.nodeId);
    if (raced) return Buffer.from(raced).toString('utf8');
    const id = randomBytes(8).toString('hex');
    txn.put('meta', META.nodeId, Buffer.from(id, 'utf8'));
    txn.put('meta', META.schema, Buffer.from('1', 'utf8'));
    return id;
  });
}


/**
 * The absolute directory of an on-disk database named by `start({ path })`, checked before any
 * store is created: an empty path would quietly mean the current directory, and a file in the
 * way would fail deep in LMDB's setup with a bare EEXIST or ENOTDIR.
 */
export function databaseDirectory(path: unknown): string {
  if (typeof path !== 'string' || path.trim() === '') {
    const given = typeof path === 'string' ? JSON.stringify(path) : path === null ? 'null' : `a ${typeof path}`;
    throw new InvalidValueError(`Invalid path: ${given} (expected the directory of a database; omit path for an in-memory one)`);
  }
  const dir = resolve(path);
  let stats: Stats | undefined;
  try {
    stats = statSync(dir, { throwIfNoEntry: false });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOTDIR') throw err;
    throw new InvalidValueError(`Invalid path: ${dir} is inside a file, not a database directory`, { cause: err });
  }
  if (stats && !stats.isDirectory()) {
    throw new InvalidValueError(`Invalid path: ${dir} ${stats.isFile() ? 'is a file, not a database directory' : 'is not a directory'}`);
  }
  return dir;
}
