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
 * Load generator (bench/load.ts): `wrk` (C; 2 threads, 32 connections, fixed duration) when it is
 * on PATH, so the HTTP servers are measured with a client about as cheap as Redis's own C
 * `redis-benchmark`; otherwise autocannon (JavaScript), which on a 2-core machine takes most of a
 * core itself and so caps every HTTP figure well below what the server can do. Redis is always
 * measured with `redis-benchmark` (`-t get` for GET, `-t set` for PUT, run separately). A bare
 * server is measured too. Its GET answers a constant 200-byte JSON through `node:http`: the
 * ceiling of a server built on node:http on this machine with this generator. KoruDelta answers
 * GETs and PUTs of a key on the raw connection, without node:http (see src/server/raw-front.ts), so
 * its GET rows can exceed that row. The bare server's PUT is read on that same raw connection path
 * and writes the body as a head and a version record with raw `lmdb`, durably: the floor for an
 * LMDB store that keeps history, acknowledges only flushed commits and has KoruDelta's HTTP path,
 * printed with KoruDelta's PUT as a ratio to it.
 *
 * KoruDelta is measured as one process and with `--workers 2` (node:cluster, one port), and so is
 * the bare server: on a 2-core machine the load generator shares the cores, so these say
 * how far a second process gets, not what a bigger machine would do.
 *
 * Every system is started once, then measured in BENCH_ROUNDS rounds (default 5). A round measures
 * the GET workload of every system back to back, then the PUT workload of every system that has
 * one, each in an order rotated by the round number, so the two systems of a ratio are measured
 * seconds apart (throughput here drifts by tens of percent over tens of seconds). Each ratio (the
 * "vs etcd" and "vs Redis" columns and the target verdicts) is the median of its per-round ratios,
 * each from one round's two figures. Each req/s figure is the median of its system's rounds, with
 * the latencies and errors of that same round. The rounds and per-round ratios are printed.
 *
 * Env: BENCH_SECONDS (per workload and round, default 3), BENCH_ROUNDS (default 5),
 * BENCH_GENERATOR=autocannon to force autocannon, BENCH_WORKERS (comma-separated worker counts,
 * default 1,2).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, openSync, closeSync } from 'node:fs';
import { connect } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { CONNECTIONS, GENERATOR, THREADS, load, type Figures, type LoadSettings, type Workload } from './load.js';
import { announced, freePort, has, start, stop, stopAll, waitFor } from './processes.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Math.max(1, Math.floor(Number(process.env.BENCH_ROUNDS ?? 5)));
const WARMUP_SECONDS = Math.min(1, SECONDS);
const KEYS = 1000;
/** KoruDelta is measured once per worker count (`kdelta serve --workers n`); BENCH_WORKERS=1,2 by default. */
const WORKERS = [...new Set((process.env.BENCH_WORKERS || '1,2').split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0))];
if (WORKERS.length === 0) throw new Error('BENCH_WORKERS: expected worker counts, e.g. 1,2');
const root = new URL('..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'koru-bench-server-'));
const settings: LoadSettings = { seconds: SECONDS, warmupSeconds: WARMUP_SECONDS, dir: work };

const DOC = { name: 'Ada Lovelace', email: 'ada@example.com', tags: ['math', 'engines', 'poetry'], address: { city: 'London', zip: 'W1' }, score: 97.5, active: true, note: 'x'.repeat(40) };
const DOC_JSON = JSON.stringify(DOC);
const JSON_HEADERS = { 'content-type': 'application/json' };

// ---- systems under test ---------------------------------------------------------------------

type Kind = 'get' | 'put';
const KINDS: readonly Kind[] = ['get', 'put'];

/** A started system: one measurement of a workload (undefined: it has none such), and what to say once it is stopped. */
interface System {
  name: string;
  measure(workload: Kind): Promise<Figures | undefined>;
  finish?(): Promise<string>;
}

const putRequests = (path: (i: number) => string, body: (i: number) => string) =>
  Array.from({ length: KEYS }, (_, i) => ({ path: path(i), body: body(i) }));

/** KoruDelta's PUT workload: a document to each of KEYS keys in turn (the bare server's PUT takes the same requests). */
const putWorkload = (url: string): Workload => ({
  url, method: 'PUT', headers: JSON_HEADERS, requests: putRequests((i) => `/api/v1/bench/doc-${i}`, () => `{"value":${DOC_JSON}}`),
});

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
  const workloads: Record<Kind, Workload> = {
    get: { url, method: 'GET', requests: [{ path: '/api/v1/bench/doc' }] },
    put: putWorkload(url),
  };
  return {
    name: `KoruDelta --workers ${workers}`,
    measure: (kind) => load(workloads[kind], settings, count),
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
  const workloads: Record<Kind, Workload> = {
    get: { url, method: 'POST', headers: JSON_HEADERS, requests: [{ path: '/v3/kv/range', body: JSON.stringify({ key: b64('bench/doc') }) }] },
    put: { url, method: 'POST', headers: JSON_HEADERS, requests: putRequests(() => '/v3/kv/put', (i) => putBody(`bench/doc-${i}`)) },
  };
  return { name: 'etcd', measure: (kind) => load(workloads[kind], settings) };
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
  const run = (test: 'get' | 'set', n: number) => spawnSync('redis-benchmark', ['-p', String(port), '-t', test, '-c', String(CONNECTIONS), '-d', String(DOC_JSON.length), '-n', String(n), '-q'], {
    encoding: 'utf8', timeout: (SECONDS * 10 + 30) * 1000,
  });
  // The GET test reads the key the SET test writes: write it first, so every GET returns a document.
  run('set', 1000);
  // redis-benchmark counts requests, not time: about SECONDS per test at this machine's rate.
  const n = Math.round(50_000 * SECONDS);
  return {
    name: 'Redis',
    measure: async (kind) => {
      const test = kind === 'get' ? 'get' : 'set';
      return redisFigure(run(test, n).stdout ?? '', test.toUpperCase());
    },
  };
}

/**
 * A minimal server. GET answers a fixed 200-byte JSON through node:http: the ceiling of node:http
 * here. PUT is the floor of a durable versioned write on LMDB: it is read on the raw connection by
 * KoruDelta's own front (src/server/raw-front.ts, from the build), so the HTTP work is the same as
 * KoruDelta's; the body goes, unparsed, into a head record and a version record (the least a store
 * with history writes), through raw `lmdb` with the same durability as KoruDelta (overlapping sync
 * off: a put resolves once its commit is flushed; lmdb commits each event-loop turn's puts
 * together), and the answer is a fixed small JSON. With `processes` > 1, that many node:cluster
 * workers share the port and the database, as `kdelta serve --workers` does.
 */
async function bareNode(processes: number): Promise<System> {
  const body = JSON.stringify({ namespace: 'bench', key: 'doc', value: { note: 'y'.repeat(93) }, versionId: 'v'.repeat(20), deleted: false });
  const script = `import cluster from 'node:cluster';
    import http from 'node:http';
    import { createRequire } from 'node:module';
    import { installRawFront } from ${JSON.stringify(pathToFileURL(join(root, 'dist/server/raw-front.js')).href)};
    const body = ${JSON.stringify(body)};
    const processes = ${processes};
    if (processes > 1 && cluster.isPrimary) {
      let listening = 0;
      for (let i = 0; i < processes; i++) {
        cluster.fork().on('listening', (a) => { if (++listening === processes) console.log('Listening on http://127.0.0.1:' + a.port); });
      }
      process.on('SIGTERM', () => { for (const w of Object.values(cluster.workers)) w.process.kill(); process.exit(0); });
    } else {
      const { open } = createRequire(import.meta.url)(${JSON.stringify(createRequire(import.meta.url).resolve('lmdb'))});
      const env = open({ path: ${JSON.stringify(join(work, `bare-${processes}-lmdb`))}, overlappingSync: false });
      const heads = env.openDB({ name: 'heads', encoding: 'binary' });
      const versions = env.openDB({ name: 'versions', encoding: 'binary' });
      const ok = Buffer.from('HTTP/1.1 200 OK\\r\\ncontent-type: application/json; charset=utf-8\\r\\ncontent-length: 11\\r\\nConnection: keep-alive\\r\\nKeep-Alive: timeout=65\\r\\n\\r\\n{"ok":true}');
      let n = 0;
      const s = http.createServer((req, res) => {
        res.writeHead(req.method === 'GET' ? 200 : 404, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      });
      installRawFront(s, {
        keepAliveTimeout: 65000,
        // GETs go on to node:http (undefined hands the connection over).
        answer: (req) => {
          if (req.method !== 'PUT' || req.body === undefined) return undefined;
          // The body is a view of the socket's read: the records get their own copy.
          const value = Buffer.from(req.body);
          heads.put(req.target, value);
          // Versions of a key sort together, oldest first, as a store with history keeps them.
          const version = req.target + '\\u0000' + String(Date.now() * 1000 + (n++ % 1000)).padStart(16, '0') + process.pid;
          return versions.put(version, value).then(() => ok);
        },
      });
      s.keepAliveTimeout = 65000;
      s.listen(0, '127.0.0.1', () => { if (processes === 1) console.log('Listening on http://127.0.0.1:' + s.address().port); });
      process.on('SIGTERM', () => process.exit(0));
    }`;
  // A file, not `-e`: cluster workers re-run the primary's script.
  const file = join(work, `bare-${processes}.mjs`);
  writeFileSync(file, script);
  const child = start(process.execPath, [file], { stdout: 'pipe' });
  const url = await announced(child, /Listening on (\S+)/, 'bare server');
  return {
    name: `bare server (${processes === 1 ? '1 process' : `${processes} processes`})`,
    measure: (kind) => load(kind === 'get' ? { url, method: 'GET', requests: [{ path: '/' }] } : putWorkload(url), settings),
  };
}

// ---- report ---------------------------------------------------------------------------------

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '-');
// Three decimals: a ratio just under a target must not print as the target itself.
const times = (x: number | undefined) => (x === undefined ? '-' : `${x.toFixed(3)}x`);
const verdict = (x: number | undefined, target: number) => (x === undefined ? 'n/a' : x >= target ? 'met' : 'NOT met');
/** The middle value (the upper one of an even count); undefined for none. */
const median = (xs: number[]): number | undefined => (xs.length === 0 ? undefined : [...xs].sort((x, y) => x - y)[xs.length >> 1]);

/** The median round of figures (by throughput; the latencies and errors of that same round). */
const medianOf = (rounds: Figures[]): Figures | undefined => rounds.find((f) => f.rps === median(rounds.map((x) => x.rps)));

/** One round's figures of every system, by workload. */
type Round = Map<System, Partial<Record<Kind, Figures>>>;

/** One workload of `system` in every round that measured it. */
const series = (rounds: Round[], system: System | undefined, kind: Kind): Figures[] =>
  rounds.map((x) => (system ? x.get(system)?.[kind] : undefined)).filter((f): f is Figures => f !== undefined);

/** `system`'s throughput over `base`'s, same workload, in every round that measured both. */
const perRound = (rounds: Round[], system: System, base: System | undefined, kind: Kind): number[] => rounds.flatMap((x) => {
  const [a, b] = [x.get(system)?.[kind]?.rps ?? Number.NaN, (base ? x.get(base)?.[kind]?.rps : undefined) ?? Number.NaN];
  return Number.isFinite(a) && Number.isFinite(b) && b > 0 ? [a / b] : [];
});

/** Starts a system, or says why it is left out. */
async function tryStart(what: string, startIt: () => Promise<System | undefined>): Promise<System | undefined> {
  try {
    return await startIt();
  } catch (err) {
    console.log(`${what} failed to start: ${(err as Error).message}`);
    return undefined;
  }
}

/** Every round: each workload of every system that has it, back to back, the order rotated by the round number. */
async function measureRounds(systems: System[]): Promise<Round[]> {
  const rounds: Round[] = [];
  // Filled in the first round (not rotated): systems whose measure() says they have no such workload.
  const lacks: Record<Kind, Set<System>> = { get: new Set(), put: new Set() };
  for (let round = 0; round < ROUNDS; round++) {
    const figures: Round = new Map(systems.map((x) => [x, {}]));
    for (const kind of KINDS) {
      const these = systems.filter((x) => !lacks[kind].has(x));
      for (let i = 0; i < these.length; i++) {
        const system = these[(i + round) % these.length];
        const f = await system.measure(kind).catch((err: Error) => {
          console.log(`${system.name} ${kind.toUpperCase()} failed in round ${round + 1}: ${err.message}`);
          return null;
        });
        if (f === undefined) lacks[kind].add(system);
        else if (f) figures.get(system)![kind] = f;
      }
    }
    rounds.push(figures);
  }
  return rounds;
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
  for (const processes of new Set([1, ...WORKERS])) {
    const b = await tryStart(`bare server (${processes} processes)`, () => bareNode(processes));
    if (b) bare.set(processes, b);
  }
  const systems = [...ours.values(), e, r, ...bare.values()].filter((x): x is System => x !== undefined);

  const rounds = await measureRounds(systems);
  const notes: string[] = [];
  for (const system of systems) if (system.finish) notes.push(await system.finish());

  const label = (system: System, kind: Kind) => `${system.name} ${kind === 'get' ? 'GET' : system === r ? 'SET' : 'PUT'}`;

  const setup = (workers: number) => (workers === 1 ? '1 process' : `--workers ${workers}`);
  type Vs = { etcd?: number; redis?: number };
  const rows: Array<{ name: string; system: System; kind: Kind; target: (vs: Vs) => string }> = [
    ...[...ours].map(([workers, system]) => ({ name: `GET one key (${setup(workers)})`, system, kind: 'get' as const, target: (vs: Vs) => `>= 0.5x Redis: ${verdict(vs.redis, 0.5)}` })),
    ...[...ours].map(([workers, system]) => ({ name: `PUT ~200 B doc, durable (${setup(workers)})`, system, kind: 'put' as const, target: (vs: Vs) => `>= 2x etcd: ${verdict(vs.etcd, 2)}` })),
    ...[...bare].map(([processes, system]) => ({ name: `bare node:http constant 200 B (${processes === 1 ? '1 process' : `${processes} processes`}; node:http ceiling)`, system, kind: 'get' as const, target: () => 'context only' })),
    ...[...bare].map(([processes, system]) => ({ name: `bare raw-connection PUT + raw lmdb, durable, head + version record (${processes === 1 ? '1 process' : `${processes} processes`}; floor)`, system, kind: 'put' as const, target: () => 'context only' })),
  ];

  console.log('');
  console.log('Rounds (req/s, in the order measured):');
  for (const system of systems) {
    for (const kind of KINDS) {
      const got = series(rounds, system, kind);
      if (got.length > 0) console.log(`  ${label(system, kind)}: ${got.map((f) => fmt(f.rps)).join(', ')}`);
    }
  }
  console.log('Per-round ratios (req/s over req/s of the same round):');
  for (const { system, kind } of rows) {
    for (const base of [e, r]) {
      const ratios = perRound(rounds, system, base, kind);
      if (base && ratios.length > 0) console.log(`  ${label(system, kind)} / ${label(base, kind)} per round: ${ratios.map((x) => x.toFixed(3)).join(', ')}`);
    }
  }

  console.log('');
  console.log(`Generator: ${GENERATOR === 'wrk' ? 'wrk' : 'autocannon'} (HTTP), redis-benchmark (Redis). Each round measures every system's GET back to back, then every system's PUT, the order rotated each round.`);
  console.log('req/s: the median of that system\'s rounds. vs etcd, vs Redis and the targets: the median of the per-round ratios, each from one round\'s two figures, measured seconds apart.');
  console.log('');
  console.log('| workload | KoruDelta req/s | p50 / p99 ms | errors | etcd req/s | Redis req/s | vs etcd | vs Redis | target |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const { name, system, kind, target } of rows) {
    const k = medianOf(series(rounds, system, kind));
    if (!k) continue;
    const vs = { etcd: median(perRound(rounds, system, e, kind)), redis: median(perRound(rounds, system, r, kind)) };
    const [et, rd] = [medianOf(series(rounds, e, kind)), medianOf(series(rounds, r, kind))];
    console.log(`| ${name} | ${fmt(k.rps)} | ${fmt(k.p50, 2)} / ${fmt(k.p99, 2)} | ${k.errors} | ${fmt(et?.rps ?? Number.NaN)} | ${fmt(rd?.rps ?? Number.NaN)} | ${times(vs.etcd)} | ${times(vs.redis)} | ${target(vs)} |`);
  }
  console.log('');
  // How close each KoruDelta PUT comes to the floor of a durable write on LMDB with the same number of processes.
  for (const [workers, system] of ours) {
    const floor = bare.get(workers);
    const ratios = floor ? perRound(rounds, system, floor, 'put') : [];
    if (ratios.length > 0) console.log(`KoruDelta PUT (${setup(workers)}) / the bare raw-lmdb PUT floor: ${times(median(ratios))} (per round: ${ratios.map((x) => x.toFixed(3)).join(', ')})`);
  }
  for (const note of notes) console.log(note);
  if (!e) console.log('etcd not installed (Debian: etcd-server): its column is empty.');
  if (!r) console.log('redis-server / redis-benchmark not installed (Debian: redis-server, redis-tools): its column is empty.');
  console.log('Targets (issue 5): GET >= 0.5x Redis, durable PUT >= 2x etcd. Redis runs in memory (no fsync); etcd and KoruDelta fsync every commit (group commit).');
  console.log('The bare server\'s GET rows are a constant response from node:http: no routing, no database, no logging. KoruDelta answers GETs and PUTs of a key before node:http, on the raw connection.');
  console.log('The bare PUT rows read each request on KoruDelta\'s raw connection path and store the unparsed body as a head and a version record through raw lmdb, durably (no validation, hashing, version chain, change log or log line): the least work per PUT of an LMDB-backed store that keeps history, acknowledges only flushed commits and answers over the same HTTP path.');
  console.log('--workers n runs n server processes behind one port (node:cluster); the load generator runs on the same cores.');
}

try {
  await main();
} finally {
  await stopAll();
  rmSync(work, { recursive: true, force: true });
}
