import { randomBytes } from 'node:crypto';
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

