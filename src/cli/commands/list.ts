import type { Command } from 'commander';
import { formatKeys, formatNamespaces } from '../format.js';
import { examples } from '../help.js';
import { run } from '../session.js';

export function registerList(program: Command): void {
  const cmd = program
    .command('list')
    .alias('ls')
    .description('list namespaces with their key counts, or the keys of one namespace')
    .argument('[ns]', 'namespace whose keys to list')
    .action((namespace: string | undefined, _opts: unknown, command: Command) =>
      run(command, async (s) => {
        const backend = await s.backend();
        if (namespace === undefined) {
          const { namespaces } = await backend.status();
          if (s.json) s.printJson(namespaces);
          else s.print(formatNamespaces(namespaces, s.style));
          return;
        }
        s.subject = { namespace };
        const keys = await backend.listKeys(namespace);
        if (s.json) s.printJson(keys);
        else s.print(formatKeys(namespace, keys, s.style));
      }));
  examples(cmd, ['kdelta list', 'kdelta list users', 'kdelta list users --json | jq length']);
}
