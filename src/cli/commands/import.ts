import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import type { ExportRecord } from '../../engine/types.js';
import { CliError } from '../errors.js';
import { examples } from '../help.js';
import { readNdjson } from '../ndjson.js';
import { createProgress } from '../progress.js';
import { plural } from '../format.js';
import { run } from '../session.js';

async function fileSize(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch (err) {
    throw new CliError(`Cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`, 'INVALID_VALUE');
  }
}

export function registerImport(program: Command): void {
  const cmd = program
    .command('import')
    .description('restore an export exactly (same version ids, timestamps, chains); re-importing adds nothing')
    .argument('<file>', 'NDJSON file written by kdelta export (- for stdin)')
    .action((file: string, _opts: unknown, command: Command) =>
      run(command, async (s) => {
        const stdin = file === '-';
        const size = stdin ? 0 : await fileSize(file);
        const input = stdin ? process.stdin : createReadStream(file);
        const progress = await createProgress('Importing', size, 'bytes', 1 << 20);
        let result;
        try {
          const records = readNdjson<ExportRecord>(input, stdin ? 'stdin' : file, (bytes) => progress.update(bytes));
          result = await (await s.backend()).importVersions(records);
        } finally {
          progress.stop();
          if (!stdin) input.destroy();
        }
        if (s.json) s.printJson(result);
        else s.print([s.style.green('OK'), `  Imported: ${plural(result.imported, 'version')}`, `  Skipped: ${result.skipped} (already present)`]);
      }));
  examples(cmd, ['kdelta import backup.ndjson', 'gunzip -c backup.ndjson.gz | kdelta -d ./restored import -']);
}
