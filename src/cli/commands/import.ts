import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import type { KoruBackend } from '../../client/backend.js';
import type { ExportRecord, ImportResult } from '../../engine/types.js';
import { isKoruDeltaError } from '../../errors.js';
import { CliError } from '../errors.js';
import { exportRecordCheck } from '../export-record.js';
import { examples } from '../help.js';
import { readNdjson } from '../ndjson.js';
import { createProgress } from '../progress.js';
import { plural } from '../format.js';
import { describeError } from '../report.js';
import { run, type Session } from '../session.js';

/**
 * Versions sent per call: no more than one of the database's import commits (1000 versions), so a
 * call that fails has written none of its own and the count of versions imported before it is exact.
 */
const BATCH = 1000;

async function fileSize(file: string): Promise<number> {
  let info;
  try {
    info = await stat(file);
  } catch (err) {
    throw new CliError(`Cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`, 'INVALID_VALUE');
  }
  if (info.isDirectory()) throw new CliError(`Cannot read ${file}: it is a directory`, 'INVALID_VALUE');
  return info.size;
}

/** The export records of `file` (`-`: stdin), each checked for shape as it is read. */
async function* readRecords(file: string, local: boolean, onBytes: (bytes: number) => void): AsyncGenerator<ExportRecord> {
  const stdin = file === '-';
  const input = stdin ? process.stdin : createReadStream(file);
  try {
    yield* readNdjson<ExportRecord>(input, stdin ? 'stdin' : file, exportRecordCheck(local), onBytes);
  } finally {
    if (!stdin) input.destroy();
  }
}

/** A first pass over a file, writing nothing: a malformed file fails here and imports nothing. */
async function checkFile(file: string, local: boolean, size: number): Promise<void> {
  const progress = await createProgress('Checking', size, 'bytes', 1 << 20);
  try {
    const records = readRecords(file, local, (bytes) => progress.update(bytes));
    while (!(await records.next()).done);
  } finally {
    progress.stop();
  }
}

/**
 * A failed import explained: where, and how many versions were written before it (those stay, and
 * importing again skips them). No `kdelta verify` hint: a record the database refuses is the
 * file's fault, not the database's.
 */
function importFailure(err: unknown, done: ImportResult, source: string, s: Session): CliError {
  const d = describeError(err, s);
  const where = isKoruDeltaError(err) ? `${source}: ` : '';
  const note = done.imported === 0
    ? ''
    : `; ${plural(done.imported, 'version')} ${done.imported === 1 ? 'was' : 'were'} imported before the error (running the import again skips them)`;
  return new CliError(`${where}${d.message}${note}`, d.code, d.code === 'CORRUPTED' ? undefined : d.hint, d.exitCode);
}

async function importBatches(s: Session, backend: KoruBackend, records: AsyncIterable<ExportRecord>, source: string): Promise<ImportResult> {
  const total: ImportResult = { imported: 0, skipped: 0 };
  const send = async (batch: ExportRecord[]) => {
    const r = await backend.importVersions(batch);
    total.imported += r.imported;
    total.skipped += r.skipped;
  };
  let batch: ExportRecord[] = [];
  try {
    for await (const record of records) {
      batch.push(record);
      if (batch.length < BATCH) continue;
      await send(batch);
      batch = [];
    }
    if (batch.length > 0) await send(batch);
  } catch (err) {
    throw importFailure(err, total, source, s);
  }
  return total;
}

export function registerImport(program: Command): void {
  const cmd = program
    .command('import')
    .description('restore an export exactly (same version ids, timestamps, chains); re-importing adds nothing')
    .argument('<file>', 'NDJSON file written by kdelta export, checked whole before anything is imported (- for stdin)')
    .action((file: string, _opts: unknown, command: Command) =>
      run(command, async (s) => {
        const stdin = file === '-';
        const size = stdin ? 0 : await fileSize(file);
        const backend = await s.backend();
        // stdin can be read only once: its lines are checked as they are imported.
        const local = s.url === undefined;
        if (!stdin) await checkFile(file, local, size);
        const progress = await createProgress('Importing', size, 'bytes', 1 << 20);
        let result;
        try {
          result = await importBatches(s, backend, readRecords(file, local, (bytes) => progress.update(bytes)), stdin ? 'stdin' : file);
        } finally {
          progress.stop();
        }
        if (s.json) s.printJson(result);
        else s.print([s.style.green('OK'), `  Imported: ${plural(result.imported, 'version')}`, `  Skipped: ${result.skipped} (already present)`]);
      }));
  examples(cmd, ['kdelta import backup.ndjson', 'gunzip -c backup.ndjson.gz | kdelta -d ./restored import -']);
}
