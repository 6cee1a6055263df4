import type { Command } from 'commander';
import { parseKey } from '../args.js';
import { formatWrite } from '../format.js';
import { examples } from '../help.js';
import { run } from '../session.js';

export function registerDelete(program: Command): void {
  const cmd = program
    .command('delete')
    .description('delete a key (a tombstone version: its history stays readable)')
    .argument('<ns/key>', 'namespace/key')
    .action((keyText: string, _opts: unknown, command: Command) =>
      run(command, async (s) => {
        const ref = parseKey(keyText, 'delete');
        s.subject = ref;
        const v = await (await s.backend()).delete(ref.namespace, ref.key);
        if (s.json) s.printJson(v);
        else s.print(formatWrite('Deleted', v, s.style));
      }));
  examples(cmd, ['kdelta delete users/alice', 'kdelta log users/alice   # the history keeps the deletion']);
}
