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
