import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import * as api from '../../src/index.js';

const docs = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');

it('every error code is documented with its HTTP status, and every documented code exists', () => {
  const documented = new Map<string, string>();
  for (const line of docs.split('\n')) {
    const m = /^\| (`[A-Z_]+`(?: \/ `[A-Z_]+`)?) \| ([\d /]+) \|/.exec(line);
    if (!m) continue;
    const codes = [...m[1].matchAll(/`([A-Z_]+)`/g)].map((x) => x[1]);
    const statuses = m[2].split('/').map((s) => s.trim());
    codes.forEach((code, i) => documented.set(code, statuses[i] ?? statuses[0]));
  }
  assert.deepEqual([...documented.keys()].sort(), Object.keys(api.ERROR_CODES).sort());
  for (const [code, status] of Object.entries(api.ERROR_CODES)) assert.equal(documented.get(code), String(status), code);
});

it('each error class carries its code and status, and is a KoruDeltaError', () => {
  const classes = Object.entries(api).filter(([name, v]) => typeof v === 'function' && /^[A-Z]\w*Error$/.test(name) && name !== 'KoruDeltaError');
  const codes = new Set<string>();
  for (const [name, Cls] of classes) {
    const err = new (Cls as new (m: string) => api.KoruDeltaError)('message');
    assert.ok(err instanceof api.KoruDeltaError, name);
    assert.equal(err.name, name);
    assert.equal(err.status, api.ERROR_CODES[err.code]);
    codes.add(err.code);
  }
  assert.deepEqual([...codes].sort(), Object.keys(api.ERROR_CODES).sort());
});

it('publicError: LMDB reports of a damaged data file become CORRUPTED; other errors pass through', () => {
  const { publicError, DamagedDatabaseError, InvalidKeyError } = api;
  for (const message of ['MDB_PAGE_NOTFOUND: Requested page not found', 'MDB_CORRUPTED: Located page was wrong type', 'MDB_INVALID: File is not an LMDB file']) {
    const cause = new Error(message);
    const mapped = publicError(cause) as api.DamagedDatabaseError;
    assert.ok(mapped instanceof DamagedDatabaseError, message);
    assert.equal(mapped.code, 'CORRUPTED');
    assert.equal(mapped.cause, cause);
    assert.match(mapped.message, new RegExp(message.split(':')[0]));
  }
  const own = new InvalidKeyError('Invalid key');
  assert.equal(publicError(own), own);
  const other = new Error('MDB_MAP_FULL: Environment mapsize limit reached');
  assert.equal(publicError(other), other);
  assert.equal(publicError('text'), 'text');
});

it('the HTTP client rebuilds each code as the class the library raises for it (CORRUPTED: CorruptedError)', async () => {
  const { errorFromResponse } = await import('../../src/client/errors.js');
  for (const [code, status] of Object.entries(api.ERROR_CODES)) {
    const err = errorFromResponse(status, JSON.stringify({ error: { code, message: `m ${code}` } }));
    assert.ok(err instanceof api.KoruDeltaError, code);
    assert.equal(err.code, code);
    assert.notEqual(err.constructor, api.KoruDeltaError, `${code} has its own class`);
  }
  const corrupted = errorFromResponse(500, JSON.stringify({ error: { code: 'CORRUPTED', message: 'x' } }));
  assert.equal(corrupted.constructor, api.CorruptedError);
});
