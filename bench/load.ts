/**
 * The HTTP load generators of bench/server.ts. `wrk` (C; THREADS threads, CONNECTIONS connections,
 * fixed duration) when it is on PATH, so HTTP servers are measured with a client about as cheap as
 * Redis's own C `redis-benchmark`; otherwise autocannon (JavaScript), which on a 2-core machine takes
 * most of a core itself and so caps every HTTP figure well below what the server can do.
 * BENCH_GENERATOR=autocannon forces autocannon.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { has } from './processes.js';

export const CONNECTIONS = 32;
export const THREADS = 2;

export const GENERATOR: 'wrk' | 'autocannon' = process.env.BENCH_GENERATOR !== 'autocannon' && has('wrk') ? 'wrk' : 'autocannon';

export interface Figures {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** Responses completed in the measured run (2xx and not). */
  requests: number;
}

/** One workload as both generators understand it: a URL and a list of requests to rotate over. */
export interface Workload {
  url: string;
  method: 'GET' | 'POST' | 'PUT';
  headers?: Record<string, string>;
  /** Path and body of each request; one entry for a fixed request. */
  requests: Array<{ path: string; body?: string }>;
}

/** How long to run, and where wrk's scripts are written. */
export interface LoadSettings {
  seconds: number;
  warmupSeconds: number;
  dir: string;
}

// ---- wrk ------------------------------------------------------------------------------------

/** A Lua long-bracket string literal (the content never holds `]==]`). */
const lua = (s: string) => `[==[${s}]==]`;

/** A wrk script that pre-formats every request once per thread, then rotates over them. */
function wrkScript(w: Workload, dir: string): string {
  const file = join(dir, `wrk-${Math.random().toString(36).slice(2)}.lua`);
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

function runWrk(w: Workload, seconds: number, dir: string): Figures {
  const script = wrkScript(w, dir);
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
export async function load(w: Workload, settings: LoadSettings, count?: (responses: number) => void): Promise<Figures> {
  const run = (seconds: number) => (GENERATOR === 'wrk' ? Promise.resolve(runWrk(w, seconds, settings.dir)) : runCannon(w, seconds));
  const warm = await run(settings.warmupSeconds);
  const measured = await run(settings.seconds);
  count?.(warm.requests + measured.requests);
  return measured;
}
