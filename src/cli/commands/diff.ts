import type { Command } from 'commander';
import type { KoruBackend } from '../../client/backend.js';
import type { JsonValue, VersionedValue } from '../../engine/types.js';
import { integer, parseKey, parseTime, type KeyRef } from '../args.js';
import { CliError, UsageError } from '../errors.js';
import { pretty } from '../format.js';
import { examples } from '../help.js';
import { diffValues } from '../json-diff.js';
import type { DiffSide } from '../line-diff.js';
import { run } from '../session.js';

interface DiffOptions {
  from?: number;
  to?: number;
  at?: string;
}

interface Pair {
  from: VersionedValue | null;
  to: VersionedValue;
}

/** Resolves an index into `count` versions: 0 = oldest, negative counts back from the latest. */
function index(n: number, count: number, ref: KeyRef): number {
  const i = n < 0 ? count + n : n;
  if (i < 0 || i >= count) {
    throw new CliError(
      `Version index ${n} is out of range: ${ref.namespace}/${ref.key} has ${count} version${count === 1 ? '' : 's'} (0..${count - 1})`,
      'INVALID_VERSION_INDEX',
      `Try: kdelta log ${ref.namespace}/${ref.key}`,
    );
  }
  return i;
}

async function pick(backend: KoruBackend, ref: KeyRef, opts: DiffOptions): Promise<Pair> {
  if (opts.at !== undefined) {
    if (opts.from !== undefined || opts.to !== undefined) throw new UsageError('--at cannot be combined with --from/--to');
    const at = parseTime(opts.at);
    const last = await backend.history(ref.namespace, ref.key, { to: at, latest: 2 });
    if (last.length === 0) await backend.getAt(ref.namespace, ref.key, at); // throws the library's own error
    return { from: last.length > 1 ? last[0] : null, to: last[last.length - 1] };
  }
  if (opts.from === undefined && opts.to === undefined) {
    const last = await backend.history(ref.namespace, ref.key, { latest: 2 });
    return { from: last.length > 1 ? last[0] : null, to: last[last.length - 1] };
  }
  const all = await backend.history(ref.namespace, ref.key);
  const to = index(opts.to ?? all.length - 1, all.length, ref);
  const from = opts.from === undefined ? to - 1 : index(opts.from, all.length, ref);
  return { from: from < 0 ? null : all[from], to: all[to] };
}

/** A version's value, or undefined for none (no version, a tombstone): not the value null. */
function valueOf(v: VersionedValue | null): JsonValue | undefined {
  return v === null || v.deleted ? undefined : v.value;
}

function side(ref: KeyRef, v: VersionedValue | null): DiffSide {
  if (v === null) return { label: `${ref.namespace}/${ref.key} (no previous version)`, text: '' };
  const what = v.deleted ? 'deleted' : `version ${v.versionId}`;
  return { label: `${ref.namespace}/${ref.key} ${v.timestamp} (${what})`, text: v.deleted ? '' : pretty(v.value) };
}

export function registerDiff(program: Command): void {
  const cmd = program
    .command('diff')
    .description('line diff between two versions of a key (default: latest vs previous)')
    .argument('<ns/key>', 'namespace/key')
    .option('--from <n>', 'older version by index (0 = oldest, -1 = latest)', integer)
    .option('--to <n>', 'newer version by index (default: latest)', integer)
    .option('--at <time>', 'the version current at <time> vs its predecessor')
    .action((keyText: string, opts: DiffOptions, command: Command) =>
      run(command, async (s) => {
        const ref = parseKey(keyText, 'diff');
        s.subject = ref;
        const { from, to } = await pick(await s.backend(), ref, opts);
        const changes = diffValues(valueOf(from), valueOf(to));
        if (s.json) {
          s.printJson({ namespace: ref.namespace, key: ref.key, from, to, changes });
          return;
        }
        // The diff library is loaded only here: it would cost every other command start-up time.
        const { lineDiff } = await import('../line-diff.js');
        const lines = lineDiff(side(ref, from), side(ref, to), s.style);
        if (from !== null && from.contentHash === to.contentHash && from.deleted === to.deleted) lines.push(s.style.dim('(no changes: same content)'));
        s.print(lines);
      }));
  examples(cmd, [
    'kdelta diff users/alice',
    'kdelta diff users/alice --from 0 --to 2',
    'kdelta diff users/alice --from 0          # oldest vs latest',
    `kdelta diff users/alice --at '1h ago'`,
    'kdelta diff users/alice --json            # both versions and a structural diff',
  ]);
}
