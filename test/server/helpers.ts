import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { after } from 'node:test';
import { pino } from 'pino';
import { KoruDeltaClient } from '../../src/client/index.js';
import { KoruDelta } from '../../src/index.js';
import { createApp, type AppOptions } from '../../src/server/index.js';
import { tmpDir } from '../helpers.js';

const root = new URL('../..', import.meta.url).pathname;
export const LAUNCHER = join(root, 'test/server/fixtures/serve.mjs');
export const KDELTA = join(root, 'bin/kdelta.js');
export const START_SCRIPT = join(root, 'scripts/start.js');

/** An app over a fresh in-memory database, for `inject()` tests; both closed after the file. */
export async function injectApp(options: AppOptions = {}, start: Parameters<typeof KoruDelta.start>[0] = {}) {
  const db = await KoruDelta.start(start);
  const app = createApp(db, { logger: pino({ level: 'silent' }), ...options });
  await app.ready();
  after(async () => {
    await app.close();
    await db.close();
  });
  return { app, db };
}

export interface ServerProcess {
  url: string;
  proc: ChildProcess;
  dbPath: string;
  stderr(): string;
  stdout(): string;
  /** Sends `signal` and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts the real server process (the test launcher over the built package) on a free port. */
export function startServer(dbPath = join(tmpDir('koru-srv-'), 'db'), options: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
  return spawnServer([LAUNCHER, dbPath, JSON.stringify(options)], dbPath, env);
}

/** Starts the real `kdelta -d <dbPath> serve --port 0 ...args` and waits for its `Listening on` line (or `--json` line). */
export function startServe(args: readonly string[] = [], dbPath = join(tmpDir('koru-srv-'), 'db'), env: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
  return spawnServer([KDELTA, '-d', dbPath, 'serve', '--port', '0', ...args], dbPath, env);
}

/** Starts `npm start`'s script (scripts/start.js) with `env` (KORU_DB_PATH, PORT, BIND, WORKERS). */
export function startScript(dbPath: string, env: NodeJS.ProcessEnv): Promise<ServerProcess> {
  return spawnServer([START_SCRIPT], dbPath, { KORU_DB_PATH: dbPath, ...env });
}

/**
 * Drives 16 writers against `server` for `loadMs`, sends SIGTERM, and checks that the server exits 0
 * and that every write it acknowledged is in the database afterwards.
 */
export async function sigtermUnderLoad(server: ServerProcess, loadMs: number): Promise<void> {
  const client = new KoruDeltaClient(server.url);
  const acked: Array<{ key: string; versionId: string }> = [];
  let stopping = false;
  const writer = async (w: number) => {
    for (let i = 0; ; i++) {
      try {
        const v = await client.put('load', `w${w}-${i % 20}`, { w, i, pad: 'x'.repeat(150) });
        acked.push({ key: v.key, versionId: v.versionId });
      } catch {
        if (stopping) return;
        throw new Error('write failed before shutdown');
      }
    }
  };
  const writers = Array.from({ length: 16 }, (_, w) => writer(w));
  await new Promise((r) => setTimeout(r, loadMs));
  stopping = true;
  const t0 = Date.now();
  const code = await server.stop('SIGTERM');
  // Not a speed check: idle keep-alive connections would hold shutdown for their 65 s timeout.
  assert.ok(Date.now() - t0 < 10_000, `shutdown took ${Date.now() - t0} ms`);
  await Promise.all(writers);
  assert.equal(code, 0);
  assert.ok(acked.length > 20, `only ${acked.length} writes acknowledged`);
  const db = await KoruDelta.start({ path: server.dbPath });
  try {
    const byKey = new Map<string, Set<string>>();
    for (const { key, versionId } of acked) {
      let ids = byKey.get(key);
      if (!ids) {
        ids = new Set((await db.history('load', key)).map((v) => v.versionId));
        byKey.set(key, ids);
      }
      assert.ok(ids.has(versionId), `acknowledged ${key} ${versionId} is missing`);
    }
  } finally {
    await db.close();
  }
}

async function spawnServer(argv: string[], dbPath: string, env: NodeJS.ProcessEnv): Promise<ServerProcess> {
  const proc = spawn(process.execPath, argv, {
    env: { ...process.env, KORU_LOG: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr!.on('data', (c: Buffer) => { err += c.toString(); });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /Listening on (\S+)|^\{"url":"([^"]+)"\}$/m.exec(out);
      if (m) resolve(m[1] ?? m[2]);
    });
    proc.once('exit', (code) => reject(new Error(`server exited with ${code} before listening: ${err}`)));
  });
  const exited = once(proc, 'exit').then(([code]) => code as number | null);
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    return exited;
  };
  after(() => stop('SIGKILL'));
  return { url, proc, dbPath, stderr: () => err, stdout: () => out, stop };
}

// Response bodies are checked field by field in tests.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** fetch + JSON body. */
export async function call(url: string, init: RequestInit & { json?: unknown } = {}): Promise<{ status: number; body: Json; headers: Headers }> {
  const { json, ...rest } = init;
  const res = await fetch(url, json === undefined ? rest : { ...rest, body: JSON.stringify(json), headers: { 'content-type': 'application/json', ...rest.headers } });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body, headers: res.headers };
}
