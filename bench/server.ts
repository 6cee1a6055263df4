/**
 * HTTP server benchmark (issue 5; `npm run bench:server`). Not a timed test: absolute numbers on a
 * shared machine are noise, so every run also measures etcd (JSON gateway) and Redis on the same
 * machine when their binaries are installed, and prints ratios.
 *
 * Workloads, 32 connections each, loopback only: GET of one key, PUT of a ~200-byte document
 * (rotating over 1,000 keys). KoruDelta runs as its own process (`node bin/kdelta.js serve`, built
 * first) with its default settings: durable group-committed writes on LMDB, one log line per request
 * at info (written to a file, and counted afterwards). etcd runs with its defaults (fsync per
 * commit). Redis runs in memory (persistence off), the GET ceiling the issue compares to.
 *
 * Load generator: `wrk` (C; 2 threads, 32 connections, fixed duration) when it is on PATH, so the
 * HTTP servers are measured with a client about as cheap as Redis's own C `redis-benchmark`;
 * otherwise autocannon (JavaScript), which on a 2-core machine takes most of a core itself and so
 * caps every HTTP figure well below what the server can do. Redis is always measured with
 * `redis-benchmark`. A bare `node:http` server answering a constant 200-byte JSON is measured too:
 * the ceiling of a server built on node:http on this machine with this generator. KoruDelta answers
 * GETs and PUTs of a key on the raw connection, without node:http (see src/server/raw-front.ts), so
 * its GET rows can exceed that row.
 *
 * KoruDelta is measured as one process and with `--workers 2` (node:cluster, one port), and so is
 * the bare node:http server: on a 2-core machine the load generator shares the cores, so these say
 * how far a second process gets, not what a bigger machine would do.
 *
 * Every system is started once, then measured in BENCH_ROUNDS rounds (default 3), the systems in a
 * different order each round; each figure is the median of its rounds. A shared machine's busy
 * spells then hit every system, instead of whichever ran at the time, and the rounds are printed.
 *
 * Env: BENCH_SECONDS (per workload and round, default 5), BENCH_ROUNDS (default 3),
 * BENCH_GENERATOR=autocannon to force autocannon, BENCH_WORKERS (comma-separated worker counts,
 * default 1,2).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, openSync, closeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect, createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
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
  '2xx': number;
}

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Math.max(1, Math.floor(Number(process.env.BENCH_ROUNDS ?? 3)));
const WARMUP_SECONDS = Math.min(1, SECONDS);
const CONNECTIONS = 32;
const THREADS = 2;
const KEYS = 1000;
/** KoruDelta is measured once per worker count (`kdelta serve --workers n`); BENCH_WORKERS=1,2 by default. */
const WORKERS = [...new Set((process.env.BENCH_WORKERS || '1,2').split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0))];
if (WORKERS.length === 0) throw new Error('BENCH_WORKERS: expected worker counts, e.g. 1,2');
const root = new URL('..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'koru-bench-server-'));
const children: ChildProcess[] = [];

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** Responses completed in the measured run (2xx and not). */
  requests: number;
}

/** One workload as both generators understand it: a URL and a list of requests to rotate over. */
interface Workload {
  url: string;
  method: 'GET' | 'POST' | 'PUT';
  headers?: Record<string, string>;
  /** Path and body of each request; one entry for a fixed request. */
  requests: Array<{ path: string; body?: string }>;
}

const DOC = { name: 'Ada Lovelace', email: 'ada@example.com', tags: ['math', 'engines', 'poetry'], address: { city: 'London', zip: 'W1' }, score: 97.5, active: true, note: 'x'.repeat(40) };
const DOC_JSON = JSON.stringify(DOC);
const JSON_HEADERS = { 'content-type': 'application/json' };

const GENERATOR: 'wrk' | 'autocannon' = process.env.BENCH_GENERATOR !== 'autocannon' && has('wrk') ? 'wrk' : 'autocannon';

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

function start(cmd: string, args: string[], options: { env?: NodeJS.ProcessEnv; stdout?: 'pipe' | 'ignore'; stderrFd?: number } = {}): ChildProcess {
  const child = spawn(cmd, args, {
    stdio: ['ignore', options.stdout ?? 'ignore', options.stderrFd ?? 'ignore'],
    env: { ...process.env, ...options.env },
  });
  children.push(child);
  return child;
}

/** Resolves with the first match of `pattern` in the child's stdout. */
function announced(child: ChildProcess, pattern: RegExp, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start within 15 s`)), 15_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = pattern.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code} before listening`));
    });
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
}

// ---- wrk ------------------------------------------------------------------------------------

/** A Lua long-bracket string literal (the content never holds `]==]`). */
const lua = (s: string) => `[==[${s}]==]`;

/** A wrk script that pre-formats every request once per thread, then rotates over them. */
function wrkScript(w: Workload): string {
  const file = join(work, `wrk-${Math.random().toString(36).slice(2)}.lua`);
  const headers = Object.entries(w.headers ?? {}).map(([k, v]) => `[ ${lua(k)} ] = ${lua(v)}`).join(', ');
  const items = w.requests.map((r) => `{ ${lua(r.path)}, ${r.body === undefined ? 'nil' : lua(r.body)} }`).join(',\n');
  writeFileSync(file, `local items = {
${items}
}
local reqs = {}
local n = 0
init = function(args)
  for i, item in ipairs(items) do reqs[i] = wrk.format(${lua(w.method)}, item[1], { ${headers} }, item[2]) end
  n = math.random(#reqs) - 1
end
request = function()
  n = n % #reqs + 1
  return reqs[n]
end
`);
  return file;
}

/** wrk's latency figures ("1.23ms", "850.00us", "1.02s") in milliseconds. */
function wrkMs(s: string | undefined): number {
  const m = s ? /^([\d.]+)(us|ms|s)$/.exec(s) : null;
  if (!m) return Number.NaN;
  return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
}

function runWrk(w: Workload, seconds: number): Figures {
  const script = wrkScript(w);
  const r = spawnSync('wrk', ['-t', String(THREADS), '-c', String(CONNECTIONS), '-d', `${seconds}s`, '--timeout', '5s', '--latency', '-s', script, w.url], {
    encoding: 'utf8', timeout: (seconds + 30) * 1000,
  });
  const out = r.stdout ?? '';
  if (r.status !== 0) throw new Error(`wrk failed (${r.status ?? r.signal}): ${r.stderr}${out}`);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? Number.NaN);
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const socketErrors = sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  return {
    rps, requests,
    p50: wrkMs(/\s50%\s+(\S+)/.exec(out)?.[1]),
    p99: wrkMs(/\s99%\s+(\S+)/.exec(out)?.[1]),
    errors: non2xx + socketErrors,
  };
}

// ---- autocannon -----------------------------------------------------------------------------

async function runCannon(w: Workload, seconds: number): Promise<Figures> {
  const autocannon = createRequire(import.meta.url)('autocannon') as (o: CannonOptions) => Promise<CannonResult>;
  let n = 0;
  const fixed = w.requests.length === 1;
  const opts: CannonOptions = {
    url: w.url, method: w.method, headers: w.headers, connections: CONNECTIONS, duration: seconds,
    ...(fixed
      ? { path: w.requests[0].path, body: w.requests[0].body }
      : { requests: [{ setupRequest: (req) => ({ ...req, ...w.requests[n++ % w.requests.length] }) }] }),
  };
  const r = await autocannon(opts);
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts + r.non2xx, requests: r['2xx'] + r.non2xx };
}

/**
 * A short warm-up lets the JIT and caches settle, then the measured run. `count`, if given, is told
 * how many responses the generator completed, warm-up included.
 */
async function load(w: Workload, count?: (responses: number) => void): Promise<Figures> {
  const warm = GENERATOR === 'wrk' ? runWrk(w, WARMUP_SECONDS) : await runCannon(w, WARMUP_SECONDS);
  const measured = GENERATOR === 'wrk' ? runWrk(w, SECONDS) : await runCannon(w, SECONDS);
  count?.(warm.requests + measured.requests);
  return measured;
}

// ---- systems under test ---------------------------------------------------------------------

/** A started system: one measuring round of its workloads, and what to say once it is stopped. */
interface System {
  name: string;
  round(): Promise<Result>;
  finish?(): Promise<string>;
}

interface Result {
  get: Figures;
  put?: Figures;
}

const putRequests = (path: (i: number) => string, body: (i: number) => string) =>
  Array.from({ length: KEYS }, (_, i) => ({ path: path(i), body: body(i) }));

function build(): void {
  const r = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm run build failed');
}

/** `kdelta serve --workers <workers>` on a fresh database. */
async function koruDelta(workers: number): Promise<System> {
  const logFile = join(work, `koru-${workers}.log`);
  const logFd = openSync(logFile, 'w');
  const server = start(process.execPath, [join(root, 'bin/kdelta.js'), '-d', join(work, `koru-${workers}`), 'serve', '--port', '0', '--workers', String(workers)], {
    env: { KORU_LOG: 'info' }, stdout: 'pipe', stderrFd: logFd,
  });
  closeSync(logFd);
  const url = await announced(server, /Listening on (\S+)/, 'KoruDelta');
  let completed = 1;
  const count = (n: number) => { completed += n; };
  await fetch(`${url}/api/v1/bench/doc`, { method: 'PUT', headers: JSON_HEADERS, body: `{"value":${DOC_JSON}}` });
  return {
    name: `KoruDelta --workers ${workers}`,
    round: async () => ({
      get: await load({ url, method: 'GET', requests: [{ path: '/api/v1/bench/doc' }] }, count),
      put: await load({ url, method: 'PUT', headers: JSON_HEADERS, requests: putRequests((i) => `/api/v1/bench/doc-${i}`, () => `{"value":${DOC_JSON}}`) }, count),
    }),
    finish: async () => {
      await stop(server);
      // Requests in flight when the generator stopped are answered (and logged) too, so logged >= completed.
      const logged = readFileSync(logFile, 'utf8').split('\n').filter((l) => l.includes('"msg":"request"')).length;
      const lost = logged < completed ? ' (LINES LOST)' : '';
      return `KoruDelta --workers ${workers} request log (info, to a file): ${logged.toLocaleString('en-US')} lines for ${completed.toLocaleString('en-US')} responses the generator completed, warm-ups included${lost}`;
    },
  };
}

async function etcd(): Promise<System | undefined> {
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
  return {
    name: 'etcd',
    round: async () => ({
      get: await load({ url, method: 'POST', headers: JSON_HEADERS, requests: [{ path: '/v3/kv/range', body: JSON.stringify({ key: b64('bench/doc') }) }] }),
      put: await load({ url, method: 'POST', headers: JSON_HEADERS, requests: putRequests(() => '/v3/kv/put', (i) => putBody(`bench/doc-${i}`)) }),
    }),
  };
}

function redisFigure(output: string, test: string): Figures {
  const m = new RegExp(`${test}: ([\\d.]+) requests per second, p50=([\\d.]+) msec`).exec(output);
  return { rps: m ? Number(m[1]) : Number.NaN, p50: m ? Number(m[2]) : Number.NaN, p99: Number.NaN, errors: 0, requests: 0 };
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

async function redis(): Promise<System | undefined> {
  if (!has('redis-server') || !has('redis-benchmark')) return undefined;
  const port = await freePort();
  start('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', work]);
  await waitFor(() => redisPing(port), 'redis');
  // redis-benchmark counts requests, not time: about SECONDS per test at this machine's rate.
  const n = String(Math.round(50_000 * SECONDS));
  return {
    name: 'Redis',
    round: async () => {
      const r = spawnSync('redis-benchmark', ['-p', String(port), '-t', 'get,set', '-c', String(CONNECTIONS), '-d', String(DOC_JSON.length), '-n', n, '-q'], {
        encoding: 'utf8', timeout: (SECONDS * 10 + 30) * 1000,
      });
      return { get: redisFigure(r.stdout ?? '', 'GET'), put: redisFigure(r.stdout ?? '', 'SET') };
    },
  };
}

/**
 * A minimal node:http server answering a fixed 200-byte JSON: the ceiling of node:http here. With
 * `processes` > 1, that many node:cluster workers share the port, as `kdelta serve --workers` does.
 */
async function bareNode(processes: number): Promise<System> {
  const body = JSON.stringify({ namespace: 'bench', key: 'doc', value: { note: 'y'.repeat(93) }, versionId: 'v'.repeat(20), deleted: false });
  const script = `const body = ${JSON.stringify(body)};
    const cluster = require('node:cluster');
    const processes = ${processes};
    if (processes > 1 && cluster.isPrimary) {
      let listening = 0;
      for (let i = 0; i < processes; i++) {
        cluster.fork().on('listening', (a) => { if (++listening === processes) console.log('Listening on http://127.0.0.1:' + a.port); });
      }
      process.on('SIGTERM', () => { for (const w of Object.values(cluster.workers)) w.process.kill(); process.exit(0); });
    } else {
      const s = require('node:http').createServer((req, res) => {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      });
      s.keepAliveTimeout = 65000;
      s.listen(0, '127.0.0.1', () => { if (processes === 1) console.log('Listening on http://127.0.0.1:' + s.address().port); });
      process.on('SIGTERM', () => process.exit(0));
    }`;
  // A file, not `-e`: cluster workers re-run the primary's script.
  const file = join(work, `bare-${processes}.cjs`);
  writeFileSync(file, script);
  const child = start(process.execPath, [file], { stdout: 'pipe' });
  const url = await announced(child, /Listening on (\S+)/, 'bare node:http');
  return {
    name: `bare node:http (${processes === 1 ? '1 process' : `${processes} processes`})`,
    round: async () => ({ get: await load({ url, method: 'GET', requests: [{ path: '/' }] }) }),
  };
}

// ---- report ---------------------------------------------------------------------------------

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '-');
const ratio = (a: number, b: number | undefined) => (b && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}x` : '-');

function verdict(value: number, base: number | undefined, target: number): string {
  if (!base || !Number.isFinite(base) || base <= 0) return 'n/a';
  return value / base >= target ? 'met' : 'NOT met';
}

const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[xs.length >> 1];

/** The median round of figures (by throughput; the latencies and errors of that same round). */
function medianOf(rounds: Figures[]): Figures {
  const mid = median(rounds.map((f) => f.rps));
  return rounds.find((f) => f.rps === mid)!;
}

/** Starts a system, or says why it is left out. */
async function tryStart(what: string, startIt: () => Promise<System | undefined>): Promise<System | undefined> {
  try {
    return await startIt();
  } catch (err) {
    console.log(`${what} failed to start: ${(err as Error).message}`);
    return undefined;
  }
}

async function main(): Promise<void> {
  const generatorLine = GENERATOR === 'wrk'
    ? `wrk (C, ${THREADS} threads, ${CONNECTIONS} connections)`
    : `autocannon (JavaScript, ${CONNECTIONS} connections; install wrk for figures not capped by the generator)`;
  console.log(`server benchmark: ${ROUNDS} rounds of ${SECONDS} s per workload after a ${WARMUP_SECONDS} s warm-up, ${DOC_JSON.length}-byte documents, loopback, ${availableParallelism()} CPUs`);
  console.log(`HTTP load generator: ${generatorLine}; Redis: redis-benchmark (C)`);
  build();
  const ours = new Map<number, System>();
  for (const workers of WORKERS) {
    const k = await tryStart(`KoruDelta --workers ${workers}`, () => koruDelta(workers));
    if (k) ours.set(workers, k);
  }
  const e = await tryStart('etcd', etcd);
  const r = await tryStart('Redis', redis);
  const bare = new Map<number, System>();
  for (const processes of new Set([1, Math.max(...WORKERS)])) {
    const b = await tryStart(`bare node:http (${processes} processes)`, () => bareNode(processes));
    if (b) bare.set(processes, b);
  }
  const systems = [...ours.values(), e, r, ...bare.values()].filter((x): x is System => x !== undefined);

  const rounds = new Map<System, Result[]>(systems.map((x) => [x, []]));
  for (let round = 0; round < ROUNDS; round++) {
    // Each round starts with a different system, so none is always measured first or last.
    const order = systems.map((_, i) => systems[(i + round) % systems.length]);
    for (const system of order) {
      const res = await system.round().catch((err: Error) => void console.log(`${system.name} failed in round ${round + 1}: ${err.message}`));
      if (res) rounds.get(system)!.push(res);
    }
  }
  const notes: string[] = [];
  for (const system of systems) if (system.finish) notes.push(await system.finish());

  /** The median figures of one workload of `system`, and a line listing its rounds. */
  const figures = (system: System | undefined, workload: 'get' | 'put'): Figures | undefined => {
    const got = system ? rounds.get(system)!.map((x) => x[workload]).filter((f): f is Figures => f !== undefined) : [];
    return got.length > 0 ? medianOf(got) : undefined;
  };
  console.log('');
  console.log('Rounds (req/s, in the order measured):');
  for (const system of systems) {
    for (const workload of ['get', 'put'] as const) {
      const got = rounds.get(system)!.map((x) => x[workload]).filter((f): f is Figures => f !== undefined);
      if (got.length > 0) console.log(`  ${system.name} ${workload === 'get' ? 'GET' : system === r ? 'SET' : 'PUT'}: ${got.map((f) => fmt(f.rps)).join(', ')}`);
    }
  }

  const eg = figures(e, 'get');
  const ep = figures(e, 'put');
  const rg = figures(r, 'get');
  const rp = figures(r, 'put');
  console.log('');
  console.log(`Generator: ${GENERATOR === 'wrk' ? 'wrk' : 'autocannon'} (HTTP), redis-benchmark (Redis); each figure the median of its rounds`);
  console.log('');
  console.log('| workload | KoruDelta req/s | p50 / p99 ms | errors | etcd req/s | Redis req/s | vs etcd | vs Redis | target |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---|');
  const row = (name: string, k: Figures, et: Figures | undefined, rd: Figures | undefined, target: string) =>
    console.log(`| ${name} | ${fmt(k.rps)} | ${fmt(k.p50, 2)} / ${fmt(k.p99, 2)} | ${k.errors} | ${fmt(et?.rps ?? Number.NaN)} | ${fmt(rd?.rps ?? Number.NaN)} | ${ratio(k.rps, et?.rps)} | ${ratio(k.rps, rd?.rps)} | ${target} |`);
  const setup = (workers: number) => (workers === 1 ? '1 process' : `--workers ${workers}`);
  for (const [workers, k] of ours) {
    const g = figures(k, 'get');
    if (g) row(`GET one key (${setup(workers)})`, g, eg, rg, `>= 0.5x Redis: ${verdict(g.rps, rg?.rps, 0.5)}`);
  }
  for (const [workers, k] of ours) {
    const p = figures(k, 'put');
    if (p) row(`PUT ~200 B doc, durable (${setup(workers)})`, p, ep, rp, `>= 2x etcd: ${verdict(p.rps, ep?.rps, 2)}`);
  }
  for (const [processes, b] of bare) {
    const g = figures(b, 'get');
    if (g) row(`bare node:http constant 200 B (${processes === 1 ? '1 process' : `${processes} processes`}; node:http ceiling)`, g, eg, rg, 'context only');
  }
  console.log('');
  for (const note of notes) console.log(note);
  if (!e) console.log('etcd not installed (Debian: etcd-server): its column is empty.');
  if (!r) console.log('redis-server / redis-benchmark not installed (Debian: redis-server, redis-tools): its column is empty.');
  console.log('Targets (issue 5): GET >= 0.5x Redis, durable PUT >= 2x etcd. Redis runs in memory (no fsync); etcd and KoruDelta fsync every commit (group commit).');
  console.log('The bare node:http rows are a constant response from a one-line server: no routing, no database, no logging. KoruDelta answers GETs and PUTs of a key before node:http, on the raw connection.');
  console.log('--workers n runs n server processes behind one port (node:cluster); the load generator runs on the same cores.');
}

try {
  await main();
} finally {
  for (const c of children) await stop(c);
  rmSync(work, { recursive: true, force: true });
}
