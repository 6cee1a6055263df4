/**
 * CLI start-up benchmark (issue 4): `kdelta get` on a database holding 1,000,000 versions, against
 * `node -e ""` as the baseline in the same run (absolute times on a shared machine are noise).
 * The target is an answer in under 0.5 s. Needs a build (`npm run build`).
 *
 * Usage: node --import tsx bench/cli-startup.ts [--quick]
 * Env: KORU_BENCH_DB=<dir> keeps the generated database there and reuses it on the next run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KoruDelta } from '../src/index.js';

const quick = process.argv.includes('--quick');
const VERSIONS = quick ? 100_000 : 1_000_000;
const KEYS = 10_000;
const BATCH = 10_000;
const RUNS = quick ? 5 : 15;
const BIN = new URL('../bin/kdelta.js', import.meta.url).pathname;

const keep = process.env.KORU_BENCH_DB;
const dbPath = keep ?? join(mkdtempSync(join(tmpdir(), 'koru-cli-bench-')), 'db');

/** VERSIONS versions: every key rewritten VERSIONS / KEYS times, in atomic batches of BATCH writes. */
async function generate(path: string): Promise<void> {
  const db = await KoruDelta.start({ path });
  try {
    const have = (await db.stats()).totalVersions;
    if (have >= VERSIONS) return;
    const started = Date.now();
    for (let n = have; n < VERSIONS; n += BATCH) {
      const writes = Array.from({ length: Math.min(BATCH, VERSIONS - n) }, (_, i) => {
        const seq = n + i;
        return { namespace: 'bench', key: `k${seq % KEYS}`, value: { seq, name: `User ${seq % KEYS}`, tags: ['a', 'b'], score: seq * 0.5 } };
      });
      await db.putBatch(writes);
      if ((n / BATCH) % 10 === 0) process.stderr.write(`\r  generating: ${n.toLocaleString()} / ${VERSIONS.toLocaleString()} versions`);
    }
    process.stderr.write(`\r  generated ${VERSIONS.toLocaleString()} versions in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  } finally {
    await db.close();
  }
}

/** Median wall time of RUNS spawns, in ms (one unmeasured warm-up run first). */
function time(args: string[]): number {
  const env = { ...process.env, NO_COLOR: '1' };
  const run = () => {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr.toString()}`);
    return Number(process.hrtime.bigint() - start) / 1e6;
  };
  run();
  const times = Array.from({ length: RUNS }, run).sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

async function main(): Promise<void> {
  if (!existsSync(new URL('../dist/cli/main.js', import.meta.url))) throw new Error('run `npm run build` first');
  await generate(dbPath);
  const baseline = time(['-e', '']);
  const rows: Array<[string, number]> = [
    ['kdelta --version (no database)', time([BIN, '--version'])],
    ['kdelta get', time([BIN, '-d', dbPath, 'get', 'bench/k4242'])],
    ['kdelta get --at', time([BIN, '-d', dbPath, 'get', 'bench/k4242', '--at', '1s ago'])],
    ['kdelta log -l 5', time([BIN, '-d', dbPath, 'log', 'bench/k4242', '-l', '5'])],
  ];
  console.log(`\nCLI start-up on ${VERSIONS.toLocaleString()} versions (median of ${RUNS} runs)`);
  console.log(`  ${'node -e ""  (baseline)'.padEnd(34)} ${baseline.toFixed(0).padStart(6)} ms   1.00x`);
  for (const [name, ms] of rows) console.log(`  ${name.padEnd(34)} ${ms.toFixed(0).padStart(6)} ms   ${(ms / baseline).toFixed(2)}x`);
  const get = rows[1][1];
  console.log(`\n  target: kdelta get under 500 ms: ${get < 500 ? 'met' : 'NOT met'} (${get.toFixed(0)} ms)`);
}

try {
  await main();
} finally {
  if (keep === undefined) rmSync(join(dbPath, '..'), { recursive: true, force: true });
}
