import { InvalidKeyError, InvalidNamespaceError } from '../errors.js';

/**
 * Rules for namespaces and keys. Namespaces starting with `_` are kept for internal data; a few
 * names are taken by HTTP routes (`/api/v1/status`…), so no key is ever unreachable over HTTP.
 */
export const RESERVED_NAMESPACES: ReadonlySet<string> = new Set([
  'namespaces', 'status', 'views', 'watch', 'batch', 'export', 'import', 'auth', 'cluster',
]);

const NAMESPACE = /^[A-Za-z0-9.-][A-Za-z0-9_.-]{0,63}$/;
const CONTROL = /\p{Cc}/u;
export const MAX_KEY_BYTES = 512;

/** Namespaces already found valid: a database has few, so most checks are one lookup. */
const validNamespaces = new Set<unknown>();

export function checkNamespace(namespace: unknown): asserts namespace is string {
  if (validNamespaces.has(namespace)) return;
  if (typeof namespace !== 'string') {
    throw new InvalidNamespaceError(`Invalid namespace: expected a string, got ${typeof namespace}`);
  }
  if (!NAMESPACE.test(namespace)) {
    throw new InvalidNamespaceError(
      `Invalid namespace ${JSON.stringify(namespace)}: use 1-64 characters of A-Z a-z 0-9 _ . - not starting with _`,
      { namespace },
    );
  }
  if (namespace === '.' || namespace === '..') {
    throw new InvalidNamespaceError(`Invalid namespace ${JSON.stringify(namespace)}: . and .. are path segments a URL cannot carry`, { namespace });
  }
  if (RESERVED_NAMESPACES.has(namespace)) {
    throw new InvalidNamespaceError(`Invalid namespace ${JSON.stringify(namespace)}: the name is reserved`, { namespace });
  }
  if (validNamespaces.size < 1024) validNamespaces.add(namespace);
}

/**
 * Printable ASCII, 1-512 characters: valid without the costlier checks of `checkKey` (the common
 * case). A loop over the characters, because a regular expression costs every read of a short key
 * several times as much.
 */
function isPlainKey(key: string): boolean {
  const n = key.length;
  if (n === 0 || n > MAX_KEY_BYTES) return false;
  for (let i = 0; i < n; i++) {
    const c = key.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

export function checkKey(namespace: string, key: unknown): asserts key is string {
  if (typeof key === 'string' && isPlainKey(key)) return;
  if (typeof key !== 'string') {
    throw new InvalidKeyError(`Invalid key in namespace ${namespace}: expected a string, got ${typeof key}`, { namespace });
  }
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes === 0 || bytes > MAX_KEY_BYTES) {
    throw new InvalidKeyError(`Invalid key ${namespace}/${key.slice(0, 64)}: must be 1-${MAX_KEY_BYTES} bytes of UTF-8, got ${bytes}`, { namespace, key });
  }
  if (!key.isWellFormed()) {
    throw new InvalidKeyError(`Invalid key ${namespace}/${JSON.stringify(key)}: it contains a lone surrogate (not valid UTF-16 text)`, { namespace, key });
  }
  if (CONTROL.test(key)) {
    throw new InvalidKeyError(`Invalid key ${namespace}/${JSON.stringify(key)}: control characters are not allowed`, { namespace, key });
  }
}
