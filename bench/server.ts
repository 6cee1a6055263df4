/**
 * HTTP server benchmark (issue 5; `npm run bench:server`). Not a timed test: absolute numbers on a
 * shared machine are noise, so every run also measures etcd (JSON gateway) and Redis on the same
 * machine when their binaries are installed, and prints ratios.
 *
 * Workloads, 32 connections each, loopback only: GET of one key, PUT of a ~200-byte document
 * (rotating over 1,000 keys). KoruDelta runs as its own process with its default settings
 * (durable group-committed writes on LMDB, request logging at info). etcd runs with its defaults
 * (fsync per commit). Redis runs in memory (persistence off), the GET ceiling the issue compares to.
 *
 * Env: BENCH_SECONDS (per workload, default 10).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The part of autocannon's API used here (the package ships no types). */
interface CannonRequest {
  method?: string;
  path?: string;
  body?: string;
  headers?: Record<string, string>;
}
interface CannonOptions extends CannonRequest {
  url: string;
  connections?: number;
  duration?: number;
  requests?: Array<{ setupRequest?: (req: CannonRequest) => CannonRequest }>;
}
interface CannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (o: CannonOptions) => Promise<CannonResult>;

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 32;
const root = new URL('..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'koru-bench-server-'));
const children: ChildProcess[] = [];

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

const DOC = { name: 'Ada Lovelace', email: 'ada@example.com', tags: ['math', 'engines', 'poetry'], address: { city: 'London', zip: 'W1' }, score: 97.5, active: true, note: 'x'.repeat(40) };
const DOC_JSON = JSON.stringify(DOC);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function has(binary: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${binary}`]).status === 0;
}

async function waitFor(check: () => Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not start within ${ms / 1000} s`);
}

function start(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const child = spawn(cmd, args, { stdio: 'ignore', env: { ...process.env, ...env } });
  children.push(child);
  return child;
}

async function cannon(opts: CannonOptions): Promise<Figures> {
  // A short warm-up lets the JIT and caches settle before the measured run.
  await autocannon({ ...opts, duration: Math.min(2, SECONDS), connections: CONNECTIONS });
  const r = await autocannon({ ...opts, duration: SECONDS, connections: CONNECTIONS });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts + r.non2xx };
}

async function koruDelta(): Promise<{ get: Figures; put: Figures }> {
  const port = await freePort();
  const script = `import { serve } from ${JSON.stringify(join(root, 'src/server/index.ts'))};
    const s = await serve({ dbPath: process.argv[1], port: Number(process.argv[2]) });
    process.on('SIGTERM', () => s.close().then(() => process.exit(0)));`;
  start(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, join(work, 'koru'), String(port)]);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}/health`)).ok, 'KoruDelta');
  await fetch(`${url}/api/v1/bench/doc`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: `{"value":${DOC_JSON}}` });
  const get = await cannon({ url: `${url}/api/v1/bench/doc` });
  let n = 0;
  const put = await cannon({
    url, method: 'PUT', headers: { 'content-type': 'application/json' },
    requests: [{ setupRequest: (req) => ({ ...req, path: `/api/v1/bench/doc-${n++ % 1000}`, body: `{"value":${DOC_JSON}}` }) }],
  });
  return { get, put };
}

async function etcd(): Promise<{ get: Figures; put: Figures } | undefined> {
  if (!has('etcd')) return undefined;
  const [client, peer] = [await freePort(), await freePort()];
  start('etcd', [
    '--name', 'bench', '--data-dir', join(work, 'etcd'),
    '--listen-client-urls', `http://127.0.0.1:${client}`, '--advertise-client-urls', `http://127.0.0.1:${client}`,
    '--listen-peer-urls', `http://127.0.0.1:${peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peer}`,
    '--initial-cluster', `bench=http://127.0.0.1:${peer}`, '--log-level', 'error',
  ]);
  const url = `http://127.0.0.1:${client}`;
  await waitFor(async () => (await fetch(`${url}/health`)).ok, 'etcd');
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const putBody = (key: string) => JSON.stringify({ key: b64(key), value: b64(DOC_JSON) });
  await fetch(`${url}/v3/kv/put`, { method: 'POST', body: putBody('bench/doc') });
  const get = await cannon({ url: `${url}/v3/kv/range`, method: 'POST', body: JSON.stringify({ key: b64('bench/doc') }) });
  let n = 0;
  const put = await cannon({
    url, method: 'POST',
    requests: [{ setupRequest: (req) => ({ ...req, path: '/v3/kv/put', body: putBody(`bench/doc-${n++ % 1000}`) }) }],
  });
  return { get, put };
}

function redisFigure(output: string, test: string): Figures {
  const m = new RegExp(`${test}: ([\\d.]+) requests per second, p50=([\\d.]+) msec`).exec(output);
  return { rps: m ? Number(m[1]) : Number.NaN, p50: m ? Number(m[2]) : Number.NaN, p99: Number.NaN, errors: 0 };
}

function redisPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
    socket.setTimeout(1000, () => socket.destroy());
    socket.once('data', (d) => {
      socket.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('close', () => resolve(false));
  });
}

async function redis(): Promise<{ get: Figures; put: Figures } | undefined> {
  if (!has('redis-server') || !has('redis-benchmark')) return undefined;
  const port = await freePort();
  start('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', work]);
  await waitFor(() => redisPing(port), 'redis');
  // About SECONDS per test at this machine's rate; redis-benchmark counts requests, not time.
  const n = String(Math.round(35_000 * SECONDS));
  const out = spawnSync('redis-benchmark', ['-p', String(port), '-t', 'get,set', '-c', String(CONNECTIONS), '-d', String(DOC_JSON.length), '-n', n, '-q'], { encoding: 'utf8' }).stdout;
  return { get: redisFigure(out, 'GET'), put: redisFigure(out, 'SET') };
}

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '-');
const ratio = (a: number, b: number | undefined) => (b && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}x` : '-');

async function main(): Promise<void> {
  console.log(`server benchmark: ${CONNECTIONS} connections, ${SECONDS} s per workload, ${DOC_JSON.length}-byte documents, loopback`);
  const ours = await koruDelta();
  console.log(`KoruDelta: GET ${fmt(ours.get.rps)} req/s, PUT ${fmt(ours.put.rps)} req/s`);
  const e = await etcd().catch((err: Error) => void console.log(`etcd failed: ${err.message}`));
  if (e) console.log(`etcd: GET ${fmt(e.get.rps)} req/s, PUT ${fmt(e.put.rps)} req/s`);
  const r = await redis().catch((err: Error) => void console.log(`redis failed: ${err.message}`));
  const rows: Array<[string, Figures, Figures | undefined, Figures | undefined]> = [
    ['GET one key', ours.get, e?.get, r?.get],
    ['PUT ~200 B doc', ours.put, e?.put, r?.put],
  ];
  console.log('');
  console.log('| workload | KoruDelta req/s | p50 / p99 ms | errors | etcd req/s | Redis req/s | vs etcd | vs Redis |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const [name, k, et, rd] of rows) {
    console.log(`| ${name} | ${fmt(k.rps)} | ${fmt(k.p50, 1)} / ${fmt(k.p99, 1)} | ${k.errors} | ${fmt(et?.rps ?? Number.NaN)} | ${fmt(rd?.rps ?? Number.NaN)} | ${ratio(k.rps, et?.rps)} | ${ratio(k.rps, rd?.rps)} |`);
  }
  if (!e) console.log('\netcd not installed (Debian: etcd-server): its column is empty.');
  if (!r) console.log('\nredis-server / redis-benchmark not installed (Debian: redis-server, redis-tools): its column is empty.');
  console.log('\nTargets (issue 5): GET >= 0.5x Redis, durable PUT >= 2x etcd. Redis runs in memory (no fsync); etcd and KoruDelta fsync every commit (group commit).');
}

try {
  await main();
} finally {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  rmSync(work, { recursive: true, force: true });
}
