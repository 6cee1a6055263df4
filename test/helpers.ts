import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, type TestContext } from 'node:test';
import { KoruDelta } from '../src/index.js';
import type { KoruDeltaOptions } from '../src/index.js';
import type { Store } from '../src/storage/store.js';

/** A fresh temporary directory, removed when the test file finishes. */
export function tmpDir(prefix = 'koru-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export type StoreKind = 'memory' | 'lmdb';

/** Stores the engine tests run over: `STORES=memory,lmdb` (default both). */
export const STORES: StoreKind[] = ((process.env.STORES ?? 'memory,lmdb').split(',') as StoreKind[]);

/** Opens a database of the given kind; closed automatically at the end of the file. */
export async function openDb(kind: StoreKind, options: Omit<KoruDeltaOptions, 'path'> = {}): Promise<KoruDelta> {
  const db = await KoruDelta.start(kind === 'lmdb' ? { ...options, path: join(tmpDir(), 'db') } : options);
  after(() => db.close());
  return db;
}

/** Asserts that `promise` rejects with a KoruDeltaError of `code` whose message contains every fragment. */
export async function rejectsWith(promise: Promise<unknown>, code: string, ...fragments: string[]): Promise<void> {
  let error: unknown;
  try {
    await promise;
  } catch (err) {
    error = err;
  }
  if (!error) throw new Error(`expected rejection with ${code}, but it resolved`);
  const e = error as { code?: string; message?: string };
  if (e.code !== code) throw new Error(`expected ${code}, got ${e.code}: ${e.message}`, { cause: error });
  for (const includes of fragments) {
    if (e.message?.includes(includes)) continue;
    throw new Error(`expected message to include ${JSON.stringify(includes)}, got ${JSON.stringify(e.message)}`);
  }
}

/** Rewrites every stored occurrence of `from` with `to` (same length) in one bucket, as disk damage would. */
export async function damage(store: Store, bucket: string, from: string, to: string): Promise<number> {
  let n = 0;
  await store.transaction((txn) => {
    for (const { key, value } of txn.range(bucket)) {
      const buf = Buffer.from(value);
      const at = buf.indexOf(from);
      if (at < 0) continue;
      buf.write(to, at);
      txn.put(bucket, key, buf);
      n++;
    }
  });
  return n;
}

/**
 * Runs `body` with a fresh 3 MiB tmpfs: a disk that fills up. Mounting needs root (as on the CI
 * machine); elsewhere the test is skipped, saying why. Unmounted afterwards, lazily if still busy.
 */
export async function withSmallDisk(t: TestContext, body: (mount: string) => Promise<void>): Promise<void> {
  const mount = tmpDir();
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mount], { stdio: 'ignore' });
  } catch {
    t.skip('cannot mount a tmpfs here (needs root)');
    return;
  }
  try {
    await body(mount);
  } finally {
    execFileSync('umount', ['-l', mount], { stdio: 'ignore' });
  }
}
