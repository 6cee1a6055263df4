import type { Command } from 'commander';
import { formatStatus } from '../format.js';
import { examples } from '../help.js';
import { run } from '../session.js';

export function registerStatus(program: Command): void {
  const cmd = program
    .command('status')
    .description('database statistics: keys, versions, namespaces, path, disk size, node id')
    .action((_opts: unknown, command: Command) =>
      run(command, async (s) => {
        const status = await (await s.backend()).status();
        if (s.json) s.printJson(status);
        else s.print(formatStatus(status, s.style, s.url));
      }));
  examples(cmd, ['kdelta status', 'kdelta -d ./data status --json', 'kdelta --url http://127.0.0.1:8080 status']);
}
