import type { Command } from 'commander';
import { parseTime } from '../args.js';
import { createAtomicFile, type AtomicFile } from '../atomic-file.js';
import { CliError, UsageError } from '../errors.js';
import { examples } from '../help.js';
import { writeNdjson } from '../ndjson.js';
import { createProgress } from '../progress.js';
import { plural } from '../format.js';
import { run } from '../session.js';

const OPEN_FAILURES: Record<string, string> = {
  ENOENT: 'no such directory', ENOTDIR: 'no such directory', EACCES: 'permission denied', EPERM: 'permission denied',
  EISDIR: 'it is a directory', EROFS: 'read-only file system',
};

/**
 * Opens the output first, so a bad path fails before any work. The export goes to a temporary file
 * renamed over `file` only once complete: a failed export leaves an existing backup untouched.
 */
async function openOutput(file: string): Promise<AtomicFile> {
  try {
    return await createAtomicFile(file);
  } catch (err) {
    // The system's message would name the temporary file, which the user never asked for.
    const reason = OPEN_FAILURES[(err as NodeJS.ErrnoException).code ?? ''] ?? (err as Error).message;
    throw new CliError(`Cannot write ${file}: ${reason}`, 'INVALID_VALUE');
  }
}

export function registerExport(program: Command): void {
  const cmd = program
    .command('export')
    .description('write every version (full history, commit order) as NDJSON to a file or stdout')
    .argument('[file]', 'output file, replaced only once the export is complete (default: stdout)')
    .option('--at <time>', 'export a point-in-time snapshot (the versions current at <time>) instead')
    .action((file: string | undefined, opts: { at?: string }, command: Command) =>
      run(command, async (s) => {
        if (file !== undefined && file.trim() === '') throw new UsageError('export: the file name is empty', 'Try: kdelta export backup.ndjson  (or - for stdout)');
        const at = opts.at === undefined ? undefined : parseTime(opts.at);
        const backend = await s.backend();
        let total = 0;
        if (process.stderr.isTTY) {
          const status = await backend.status();
          total = at === undefined ? status.totalVersions : status.keyCount;
        }
        const toStdout = file === undefined || file === '-';
        const output = toStdout ? undefined : await openOutput(file);
        const progress = await createProgress('Exporting', total, 'versions');
        let count: number;
        try {
          count = await writeNdjson(backend.exportVersions(at === undefined ? {} : { at }), output?.stream ?? process.stdout, (n) => progress.update(n));
          await output?.commit();
        } catch (err) {
          await output?.abort();
          throw err;
        } finally {
          progress.stop();
        }
        if (toStdout) return;
        if (s.json) s.printJson({ exported: count, file });
        else s.print([s.style.green('OK'), `  Exported: ${plural(count, 'version')}`, `  File: ${file}`]);
      }));
  examples(cmd, [
    'kdelta export backup.ndjson',
    `kdelta export --at '2026-02-04T12:00:00Z' snapshot.ndjson`,
    'kdelta export | gzip > backup.ndjson.gz',
  ]);
}
