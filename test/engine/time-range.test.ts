import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatMicros, toMicros, type ExportRecord } from '../../src/index.js';
import { versionIdOf } from '../../src/engine/version-id.js';
import { STORES, openDb, rejectsWith } from '../helpers.js';

/** Times a `Date` holds: ±8.64e15 ms. */
const LIMIT_MS = 8.64e15;

/** What `formatMicros` should write: `toISOString` of the second, then the six digits of µs (exact, by BigInt). */
function reference(micros: number): string {
  const m = BigInt(micros);
  let second = m / 1_000_000n;
  let fraction = m % 1_000_000n;
  if (fraction < 0n) {
    fraction += 1_000_000n;
    second -= 1n;
  }
  return `${new Date(Number(second) * 1000).toISOString().slice(0, -5)}.${String(fraction).padStart(6, '0')}Z`;
}

/** Integer µs across the whole range a `Date` holds, the ends and year edges included. */
function spread(): number[] {
  const yearStart = (year: number) => new Date(0).setUTCFullYear(year, 0, 1) * 1000;
  const out = [0, 1, -1, 999_999, -999_999, -1_000_000, -1_000_001, -LIMIT_MS * 1000, LIMIT_MS * 1000, -LIMIT_MS * 1000 + 1e6 - 1,
    Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 53 + 2, -(2 ** 53) - 2, 2 ** 60, -(2 ** 60),
    yearStart(0), yearStart(0) - 1, yearStart(-1), yearStart(10000), yearStart(10000) - 1, yearStart(100000), yearStart(-100000)];
  for (let i = 0; i < 20_000; i++) {
    // Uniform over the range, and log-uniform in size so that every magnitude is covered.
    out.push(Math.round((Math.random() * 2 - 1) * LIMIT_MS * 1000));
    out.push(Math.round((Math.random() < 0.5 ? -1 : 1) * 10 ** (Math.random() * 18.9)));
  }
  return out.filter((m) => Math.abs(m) <= LIMIT_MS * 1000);
}

describe('time range', () => {
  it('formatMicros always writes HH:MM:SS.ffffff, as toISOString plus the microseconds, over the whole range', () => {
    for (const m of spread()) {
      const text = formatMicros(m);
      assert.equal(text, reference(m), `for ${m}`);
      assert.match(text, /^(?:\d{4}|[+-]\d{6})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/, `for ${m}`);
    }
    assert.equal(formatMicros(-LIMIT_MS * 1000), '-271821-04-20T00:00:00.000000Z');
    assert.equal(formatMicros(LIMIT_MS * 1000), '+275760-09-13T00:00:00.000000Z');
    // What the versions keys' u64 could hold beyond a Date's range is still written in shape.
    assert.match(formatMicros(2 ** 64 - 2 ** 12), /^\+\d{6}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
  });

  it('toMicros reads back what formatMicros writes, years with a sign and six digits included', () => {
    for (const m of spread()) {
      const text = formatMicros(m);
      const back = toMicros(text);
      // Beyond 2^53 µs (years before 1685 or after 2255) a µs count is exact to a few µs only.
      assert.ok(Math.abs(back - m) <= Math.abs(m) * 2 ** -52, `for ${text}: ${back} vs ${m}`);
    }
  });

  it('refuses every time outside the range with INVALID_TIME quoting the input', () => {
    const now = () => Date.UTC(2026, 0, 1);
    const out: Array<[string | number | Date, string]> = [
      ['999999999999d ago', '"999999999999d ago"'], [`${'9'.repeat(400)}w ago`, '9999'], [-9e15, '-9000000000000000'],
      [1e20, '100000000000000000000'], [LIMIT_MS + 1, '8640000000000001'], [1.7e16, '17000000000000000'],
      [-LIMIT_MS - 1, '-8640000000000001'], ['100000000000000000', '"100000000000000000"'], ['-8640000000000001', '"-8640000000000001"'],
      ['+275760-09-13T00:00:00.000001Z', '"+275760-09-13T00:00:00.000001Z"'], ['-271821-04-19T23:59:59Z', '"-271821-04-19T23:59:59Z"'],
    ];
    for (const [input, quoted] of out) {
      assert.throws(() => toMicros(input, now), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'INVALID_TIME', String(input));
        assert.ok(err.message.includes(quoted) && err.message.includes('out of range'), err.message);
        return true;
      });
    }
    assert.throws(() => toMicros('-000000-01-01T00:00:00Z'), { code: 'INVALID_TIME' });
    // The ends themselves are times.
    assert.equal(toMicros(LIMIT_MS), LIMIT_MS * 1000);
    assert.equal(toMicros(-LIMIT_MS), -LIMIT_MS * 1000);
    assert.equal(toMicros(new Date(LIMIT_MS)), LIMIT_MS * 1000);
    assert.equal(toMicros('100000000d ago', now), (now() - LIMIT_MS) * 1000);
    assert.equal(toMicros('+275760-09-13T00:00:00Z'), LIMIT_MS * 1000);
    assert.equal(toMicros('-0'), 0);
    assert.ok(Object.is(toMicros('-0'), 0));
  });
});

for (const kind of STORES) {
  describe(`times out of range (${kind})`, () => {
    const OUT = ['999999999999d ago', -9e15, 1e20, 1e16, '17000000000000000'] as const;

    it('getAt, history, query, exportVersions, subscribe and watch refuse them with INVALID_TIME', async () => {
      const db = await openDb(kind);
      await db.put('users', 'alice', { n: 1 });
      for (const at of OUT) {
        const quoted = typeof at === 'string' ? JSON.stringify(at) : String(at);
        await rejectsWith(db.getAt('users', 'alice', at), 'INVALID_TIME', `Invalid time for users/alice: ${quoted} is out of range`);
        await rejectsWith(db.history('users', 'alice', { from: at }), 'INVALID_TIME', `Invalid history.from for users/alice: ${quoted}`);
        await rejectsWith(db.history('users', 'alice', { to: at }), 'INVALID_TIME', `Invalid history.to for users/alice: ${quoted}`);
        await rejectsWith(db.query('users', { at }), 'INVALID_TIME', quoted);
        await rejectsWith(db.exportVersions({ at }).next(), 'INVALID_TIME', quoted);
        if (typeof at === 'string') {
          assert.throws(() => db.subscribe({ since: at }, () => {}), { code: 'INVALID_TIME' });
          assert.throws(() => db.watch({ since: at }), { code: 'INVALID_TIME' });
        }
      }
    });

    it('refuses a time of the wrong type with INVALID_TIME everywhere, query at included, listing every time form', async () => {
      const db = await openDb(kind);
      await db.put('users', 'alice', { n: 1 });
      const forms = 'expected a Date, ISO-8601 like 2026-02-04T12:00:00Z, epoch milliseconds, or a duration like "5m ago"';
      for (const [at, quoted] of [[true, 'true'], [{}, 'an object'], [[], 'an array'], [5n, 'a BigInt (5n)']] as const) {
        const t = at as unknown as string;
        await rejectsWith(db.query('users', { at: t }), 'INVALID_TIME', `Invalid time for query.at: ${quoted} (${forms})`);
        await rejectsWith(db.getAt('users', 'alice', t), 'INVALID_TIME', `${quoted} (${forms})`);
        await rejectsWith(db.history('users', 'alice', { from: t }), 'INVALID_TIME', quoted);
        await rejectsWith(db.exportVersions({ at: t }).next(), 'INVALID_TIME', quoted);
        assert.throws(() => db.watch({ since: t }), { code: 'INVALID_TIME' });
      }
    });

    it('refuses time-zone offsets that do not exist instead of moving the time by them', async () => {
      const db = await openDb(kind);
      await db.put('users', 'alice', { n: 1 });
      for (const text of ['2026-01-01T00:00:00+99:99', '2026-01-01T00:00:00+24:00', '2026-01-01T00:00:00-00:60']) {
        await rejectsWith(db.getAt('users', 'alice', text), 'INVALID_TIME', JSON.stringify(text));
        await rejectsWith(db.query('users', { at: text }), 'INVALID_TIME', JSON.stringify(text));
      }
    });

    it('names the key in getAt and history time errors, in the message and the error fields', async () => {
      const db = await openDb(kind);
      await db.put('users', 'alice', { n: 1 });
      const calls = [db.getAt('users', 'alice', 'yesterday'), db.history('users', 'alice', { from: 'x' }), db.history('users', 'alice', { to: 1e20 })];
      for (const call of calls) {
        const err = await call.then(() => assert.fail('resolved'), (e: { code: string; message: string; namespace?: string; key?: string }) => e);
        assert.equal(err.code, 'INVALID_TIME');
        assert.match(err.message, /users\/alice/);
        assert.deepEqual([err.namespace, err.key], ['users', 'alice']);
      }
    });

    it('times before the epoch are valid reads (before every version), written well-formed in errors', async () => {
      const db = await openDb(kind);
      await db.put('users', 'alice', { n: 1 });
      await rejectsWith(db.getAt('users', 'alice', -LIMIT_MS), 'NO_VALUE_AT_TIMESTAMP', 'users/alice at -271821-04-20T00:00:00.000000Z');
      await rejectsWith(db.getAt('users', 'alice', '100000000d ago'), 'NO_VALUE_AT_TIMESTAMP', 'users/alice at -27');
      await rejectsWith(db.getAt('users', 'alice', '1969-12-31T23:59:59Z'), 'NO_VALUE_AT_TIMESTAMP', '1969-12-31T23:59:59.000000Z');
      assert.deepEqual(await db.history('users', 'alice', { to: -1 }), []);
      assert.equal((await db.history('users', 'alice', { from: -LIMIT_MS, to: LIMIT_MS })).length, 1);
      assert.deepEqual((await db.getAt('users', 'alice', LIMIT_MS)).value, { n: 1 });
      assert.equal((await db.query('users', { at: -LIMIT_MS })).totalCount, 0);
    });

    it('an import of a version dated before 1970 is refused with INVALID_TIME naming its key', async () => {
      const db = await openDb(kind);
      await db.put('users', 'alice', 1);
      const [record] = await exported(db);
      const early: ExportRecord = { ...record, timestamp: '1969-12-31T23:59:59.000000Z' };
      await rejectsWith(db.importVersions([early]), 'INVALID_TIME', 'users/alice');
      await rejectsWith(db.importVersions([{ ...record, timestamp: '+275760-09-13T00:00:00.000001Z' }]), 'INVALID_TIME', 'users/alice');
      assert.equal((await db.stats()).totalVersions, 1);
    });

    it('an import of a version dated more than a minute ahead is refused, so the clock of later writes stays on wall time', async () => {
      const db = await openDb(kind);
      await db.put('users', 'alice', 1);
      const [record] = await exported(db);
      /** `record` re-dated `aheadMs` from now, with the id that date gives it (a valid export from a clock that is ahead). */
      const dated = (key: string, aheadMs: number): ExportRecord => {
        const micros = (Date.now() + aheadMs) * 1000;
        const versionId = versionIdOf(record.origin, 'users', key, micros, record.contentHash, false, []);
        return { ...record, key, versionId, timestamp: formatMicros(micros), previousVersion: null, parents: [] };
      };
      await rejectsWith(db.importVersions([dated('bob', 2 * 60_000)]), 'INVALID_TIME', 'users/bob', 'ahead of this machine\'s clock');
      await rejectsWith(db.importVersions([dated('bob', 200 * 365 * 86_400_000)]), 'INVALID_TIME', 'users/bob');
      assert.deepEqual(await db.importVersions([dated('carol', 30_000)]), { imported: 1, skipped: 0 });
      const later = await db.put('users', 'dave', 1);
      assert.ok(toMicros(later.timestamp) < (Date.now() + 31_000) * 1000, later.timestamp);
    });
  });
}

async function exported(db: Awaited<ReturnType<typeof openDb>>): Promise<ExportRecord[]> {
  const out: ExportRecord[] = [];
  for await (const r of db.exportVersions()) out.push(r);
  return out;
}
