import type { Command } from 'commander';
import { parseKey, parseTime } from '../args.js';
import { formatMetadata, pretty } from '../format.js';
import { examples } from '../help.js';
import { run } from '../session.js';

export function registerGet(program: Command): void {
  const cmd = program
    .command('get')
    .description('print the current value of a key (or its value at a past time)')
    .argument('<ns/key>', 'namespace/key')
    .option('-v, --verbose', 'also show version metadata')
    .option('--at <time>', 'time travel: the value current at <time> (ISO-8601, epoch ms, or "5m ago")')
    .action((keyText: string, opts: { verbose?: boolean; at?: string }, command: Command) =>
      run(command, async (s) => {
        const ref = parseKey(keyText, 'get');
        s.subject = ref;
        const at = opts.at === undefined ? undefined : parseTime(opts.at);
        const backend = await s.backend();
        const v = at === undefined ? await backend.get(ref.namespace, ref.key) : await backend.getAt(ref.namespace, ref.key, at);
        if (s.json) s.printJson(v);
        else s.print(opts.verbose ? [pretty(v.value), '', ...formatMetadata(v, s.style)] : pretty(v.value));
      }));
  examples(cmd, [
    'kdelta get users/alice',
    'kdelta get users/alice -v',
    `kdelta get users/alice --at '2h ago'`,
    'kdelta get users/alice --at 2026-02-04T12:00:00Z --json',
  ]);
}
