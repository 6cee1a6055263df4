import type { Command } from 'commander';
import type { HistoryOptions } from '../../engine/types.js';
import { nonNegativeInt, parseKey, parseTime } from '../args.js';
import { formatHistory } from '../format.js';
import { examples } from '../help.js';
import { run } from '../session.js';
import { shellQuote } from '../shell-quote.js';

interface LogOptions {
  limit?: number;
  from?: string;
  to?: string;
}

export function registerLog(program: Command): void {
  const cmd = program
    .command('log')
    .alias('history')
    .description('show the history of a key, newest first')
    .argument('<ns/key>', 'namespace/key')
    .option('-l, --limit <n>', 'only the newest n versions', nonNegativeInt)
    .option('--from <time>', 'only versions at or after <time>')
    .option('--to <time>', 'only versions at or before <time>')
    .action((keyText: string, opts: LogOptions, command: Command) =>
      run(command, async (s) => {
        const ref = parseKey(keyText, 'log');
        s.subject = ref;
        const options: HistoryOptions = {};
        const filters: string[] = [];
        if (opts.limit !== undefined) {
          options.latest = opts.limit;
          filters.push(`--limit ${opts.limit}`);
        }
        if (opts.from !== undefined) {
          options.from = parseTime(opts.from);
          filters.push(`--from ${shellQuote(opts.from)}`);
        }
        if (opts.to !== undefined) {
          options.to = parseTime(opts.to);
          filters.push(`--to ${shellQuote(opts.to)}`);
        }
        const versions = (await (await s.backend()).history(ref.namespace, ref.key, options)).reverse();
        if (s.json) s.printJson(versions);
        else s.print(formatHistory(versions, s.style, filters));
      }));
  examples(cmd, [
    'kdelta log users/alice',
    'kdelta log users/alice -l 5',
    `kdelta history users/alice --from '1d ago' --to '1h ago' --json`,
  ]);
}
