import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

/** The built binary: these tests drive `kdelta` exactly as a user's shell would. */
export const BIN = new URL('../../bin/kdelta.js', import.meta.url).pathname;

/** Colours off and no inherited database path, whatever the developer's shell exports. */
export const ENV: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, KORU_DB_PATH: undefined, KORU_LOG: 'silent' };

/** A fresh directory removed when the test file ends. */
export function tmpDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kdelta-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A fresh database path (the directory does not exist yet: kdelta creates it). */
export function tmpDb(): string {
  return join(tmpDir(), 'db');
}

export interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string;
  env?: NodeJS.ProcessEnv;
}

/** Spawns `node bin/kdelta.js ...args` and collects its output. */
export function kdelta(args: readonly string[], options: RunOptions = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: options.env ?? ENV, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    // A command that refuses its input stops reading it: the rest of the input meets a closed pipe.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** A `kdelta` bound to one database: `db('get', 'a/b')`. */
export function onDb(path: string): (...args: string[]) => Promise<Result> {
  return (...args) => kdelta(['-d', path, ...args]);
}

/** The error a `--json` run wrote to stderr (`{ "error": { code, message, hint? } }`). */
export function errorOf(stderr: string): { code: string; message: string; hint?: string } {
  return (JSON.parse(stderr) as { error: { code: string; message: string; hint?: string } }).error;
}

/** Parses stdout as JSON, failing with the whole output when it is not. */
export function json<T = unknown>(r: Result): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON (exit ${r.code}):\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
}

/** Asserts success and returns stdout. */
export function ok(r: Result): string {
  if (r.code !== 0) throw new Error(`expected exit 0, got ${r.code}:\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  return r.stdout;
}

/** Asserts a failure with `code` and returns stderr. */
export function fails(r: Result, code: number): string {
  if (r.code !== code) throw new Error(`expected exit ${code}, got ${r.code}:\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  return r.stderr;
}

/** A long-running kdelta (watch, serve) whose output lines can be awaited. */
export interface Running {
  child: ChildProcess;
  /** Resolves with the first stdout (or stderr) line matching `pattern`, rejecting after `timeoutMs`. */
  line(pattern: RegExp, stream?: 'stdout' | 'stderr', timeoutMs?: number): Promise<string>;
  /** Sends `signal` and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  output(): { stdout: string; stderr: string };
}

// Started from hooks too, where `after()` would fire as soon as the hook ends: reaped at exit instead.
const running = new Set<ChildProcess>();
process.once('exit', () => { for (const child of running) child.kill('SIGKILL'); });

export function start(args: readonly string[], env: NodeJS.ProcessEnv = ENV): Running {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const text = { stdout: '', stderr: '' };
  const waiters = new Set<() => void>();
  for (const name of ['stdout', 'stderr'] as const) {
    child[name].setEncoding('utf8').on('data', (d: string) => {
      text[name] += d;
      for (const w of waiters) w();
    });
  }
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  running.add(child);
  void exited.then(() => running.delete(child));
  return {
    child,
    line(pattern, stream = 'stdout', timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = text[stream].split('\n').find((l) => pattern.test(l));
          if (found === undefined) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no ${stream} line matching ${pattern} within ${timeoutMs} ms:\nstdout:\n${text.stdout}\nstderr:\n${text.stderr}`));
        }, timeoutMs);
        if (!check()) {
          waiters.add(check);
          void exited.then(() => { if (waiters.has(check) && !check()) { clearTimeout(timer); waiters.delete(check); reject(new Error(`kdelta exited before printing ${pattern}:\n${text.stdout}\n${text.stderr}`)); } });
        }
      });
    },
    async stop(signal = 'SIGINT') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    output: () => ({ ...text }),
  };
}
