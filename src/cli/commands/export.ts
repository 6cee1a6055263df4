import { once } from 'node:events';
import { open } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { parseTime } from '../args.js';
import { CliError } from '../errors.js';
import { examples } from '../help.js';
import { writeNdjson } from '../ndjson.js';
import { createProgress } from '../progress.js';
import { plural } from '../format.js';
import { run } from '../session.js';

/** Opens the output first, so a bad path fails before any work (and never as a stray stream error). */
async function openOutput(file: string): Promise<Writable> {
  try {
    return (await open(file, 'w')).createWriteStream();
  } catch (err) {
    throw new CliError(`Cannot write ${file}: ${(err as Error).message}`, 'INVALID_VALUE');
  }
}

export function registerExport(program: Command): void {
  const cmd = program
    .command('export')
    .description('write every version (full history, commit order) as NDJSON to a file or stdout')
    .argument('[file]', 'output file (default: stdout)')
    .option('--at <time>', 'export a point-in-time snapshot (the versions current at <time>) instead')
    .action((file: string | undefined, opts: { at?: string }, command: Command) =>
      run(command, async (s) => {
        const at = opts.at === undefined ? undefined : parseTime(opts.at);
        const backend = await s.backend();
        let total = 0;
        if (process.stderr.isTTY) {
          const status = await backend.status();
          total = at === undefined ? status.totalVersions : status.keyCount;
        }
        const toStdout = file === undefined || file === '-';
        const out = toStdout ? process.stdout : await openOutput(file);
        const progress = await createProgress('Exporting', total, 'versions');
        let count: number;
        try {
          count = await writeNdjson(backend.exportVersions(at === undefined ? {} : { at }), out, (n) => progress.update(n));
        } catch (err) {
          if (!toStdout) out.destroy();
          throw err;
        } finally {
          progress.stop();
        }
        if (toStdout) return;
        out.end();
        await once(out, 'finish');
        if (s.json) s.printJson({ exported: count, file });
        else s.print([s.style.green('OK'), `  Exported: ${plural(count, 'version')}`, `  File: ${file}`]);
      }));
  examples(cmd, [
    'kdelta export backup.ndjson',
    `kdelta export --at '2026-02-04T12:00:00Z' snapshot.ndjson`,
    'kdelta export | gzip > backup.ndjson.gz',
  ]);
}
