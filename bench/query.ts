/**
 * Query benchmark: filter + sort + limit, and an aggregation, over 100,000 documents of one
 * namespace, next to a hand-written loop over the same documents held in a plain array.
 * Usage: npm run bench:query [-- --quick]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KoruDelta, type Query } from '../src/index.js';

const N = process.argv.includes('--quick') ? 20_000 : 100_000;
const root = mkdtempSync(join(tmpdir(), 'koru-bench-query-'));
const doc = (i: number) => ({ n: i, group: `g${i % 13}`, score: (i * 7919) % 1000, active: i % 3 !== 0, name: `item ${i}` });
type Doc = ReturnType<typeof doc>;

async function best(runs: number, f: () => Promise<unknown> | unknown): Promise<number> {
  let min = Infinity;
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await f();
    min = Math.min(min, Number(process.hrtime.bigint() - start) / 1e6);
  }
  return min;
}

function handFilterSort(docs: Doc[]): Doc[] {
  const hits = docs.filter((d) => d.active && d.score >= 500);
  hits.sort((a, b) => b.score - a.score || a.n - b.n);
  return hits.slice(0, 10);
}

function handGroup(docs: Doc[]): Map<string, number> {
  const sums = new Map<string, number>();
  for (const d of docs) if (d.active) sums.set(d.group, (sums.get(d.group) ?? 0) + d.score);
  return sums;
}

const rows: string[][] = [];
async function main(): Promise<void> {
  const docs = Array.from({ length: N }, (_, i) => doc(i));
  for (const kind of ['memory', 'lmdb'] as const) {
    const db = await KoruDelta.start(kind === 'lmdb' ? { path: join(root, 'db') } : {});
    for (let start = 0; start < N; start += 10_000) {
      await db.putBatch(docs.slice(start, start + 10_000).map((d) => ({ namespace: 'items', key: `i${String(d.n).padStart(7, '0')}`, value: d })));
    }
    const filterSort: Query = { filter: 'active = true and score >= 500', sort: [{ field: 'score', order: 'desc' }], limit: 10 };
    const grouped: Query = { filter: { field: 'active', op: 'eq', value: true }, aggregate: { op: 'groupBy', field: 'group', aggregations: { total: { op: 'sum', field: 'score' } } }, limit: 0 };
    const ours1 = await best(3, () => db.query('items', filterSort));
    const hand1 = await best(3, () => handFilterSort(docs));
    const ours2 = await best(3, () => db.query('items', grouped));
    const hand2 = await best(3, () => handGroup(docs));
    rows.push([`${kind}: filter + sort + limit 10`, `${ours1.toFixed(0)} ms`, `${hand1.toFixed(1)} ms`, `${(ours1 / hand1).toFixed(1)}×`]);
    rows.push([`${kind}: filter + groupBy sum`, `${ours2.toFixed(0)} ms`, `${hand2.toFixed(1)} ms`, `${(ours2 / hand2).toFixed(1)}×`]);
    await db.close();
  }
  console.log(`\nKoruDelta query benchmark: ${N.toLocaleString('en-US')} documents (node ${process.version})\n`);
  console.log('The baseline is a hand-written loop over the same documents already in a JS array; KoruDelta');
  console.log('reads each document from the store, checks its content hash and parses it on every query.\n');
  const head = ['measure', 'KoruDelta', 'hand loop', 'ratio'];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((x, c) => x.padEnd(widths[c])).join(' | ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const r of rows) console.log(line(r));
  rmSync(root, { recursive: true, force: true });
}

await main();
