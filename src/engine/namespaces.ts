import type { StoreReader } from '../storage/store.js';
import { namespacePrefix, prefixEnd, splitHeadKey } from './keys.js';
import { META, readNumber } from './meta.js';

/** Namespaces with live keys and their live key counts, sorted (from the per-namespace counters). */
export function namespaceCounts(reader: StoreReader): Array<{ namespace: string; keyCount: number }> {
  const prefix = Buffer.from(META.nsPrefix, 'utf8');
  const out: Array<{ namespace: string; keyCount: number }> = [];
  for (const { key } of reader.range('meta', { gte: prefix, lt: prefixEnd(prefix) })) {
    const name = Buffer.from(key).toString('utf8');
    const keyCount = readNumber(reader, name);
    if (keyCount > 0) out.push({ namespace: name.slice(META.nsPrefix.length), keyCount });
  }
  return out;
}

/** Every namespace with heads (deleted keys included), sorted: one seek per namespace. */
export function allNamespaces(reader: StoreReader): string[] {
  const names: string[] = [];
  let from: Buffer | undefined;
  for (;;) {
    const [next] = [...reader.range('heads', { gte: from, limit: 1 })];
    if (!next) return names;
    const { namespace } = splitHeadKey(next.key);
    names.push(namespace);
    // `ns 01` sorts after every `ns 00 key` and before any longer namespace name.
    from = prefixEnd(namespacePrefix(namespace));
  }
}
