// Writes N versions (10,000 keys × N/10,000 versions each) in batches and reports peak RSS.
import { KoruDelta } from '../src/index.js';

const [path, countArg] = process.argv.slice(2);
const total = Number(countArg);
const db = await KoruDelta.start({ path });
let peak = process.memoryUsage().rss;
const start = process.hrtime.bigint();
const BATCH = 2000;
for (let done = 0; done < total; done += BATCH) {
  await db.putBatch(Array.from({ length: BATCH }, (_, i) => {
    const n = done + i;
    return { namespace: 'users', key: `u${n % 10_000}`, value: { n, name: `User ${n % 10_000}`, score: n * 0.5, tags: ['a', 'b'], note: 'steady state write' } };
  }));
  peak = Math.max(peak, process.memoryUsage().rss);
}
await db.close();
console.log(JSON.stringify({ peakRssMb: peak / 2 ** 20, seconds: Number(process.hrtime.bigint() - start) / 1e9 }));
