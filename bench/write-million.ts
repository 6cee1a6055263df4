// Writes N versions (10,000 keys × N/10,000 versions each) in batches and reports peak RSS.
import { KoruDelta } from '../src/index.js';

const [path, countArg] = process.argv.slice(2);
const total = Number(countArg);
const db = await KoruDelta.start({ path });
import { readFileSync } from 'node:fs';

/** Resident memory split into private (anonymous) and file-backed (the mapped LMDB file, reclaimable page cache). */
function resident(): { anon: number; file: number } {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
  return { anon: kb('RssAnon'), file: kb('RssFile') };
}
let peak = process.memoryUsage().rss;
let peakAnon = 0;
let peakFile = 0;
let anonAtTenth = 0;
const start = process.hrtime.bigint();
const BATCH = 2000;
for (let done = 0; done < total; done += BATCH) {
  await db.putBatch(Array.from({ length: BATCH }, (_, i) => {
    const n = done + i;
    return { namespace: 'users', key: `u${n % 10_000}`, value: { n, name: `User ${n % 10_000}`, score: n * 0.5, tags: ['a', 'b'], note: 'steady state write' } };
  }));
  peak = Math.max(peak, process.memoryUsage().rss);
  const r = resident();
  peakAnon = Math.max(peakAnon, r.anon);
  peakFile = Math.max(peakFile, r.file);
  // Private memory after the first tenth: if the engine held versions in memory, it would keep growing.
  if (done + BATCH === total / 10) anonAtTenth = peakAnon;
}
await db.close();
console.log(JSON.stringify({ peakRssMb: peak / 2 ** 20, peakAnonMb: peakAnon, peakFileMb: peakFile, anonAtTenthMb: anonAtTenth, seconds: Number(process.hrtime.bigint() - start) / 1e9 }));
