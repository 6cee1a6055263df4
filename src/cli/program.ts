import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { registerDelete } from './commands/delete.js';
import { registerDiff } from './commands/diff.js';
import { registerExport } from './commands/export.js';
import { registerGet } from './commands/get.js';
import { registerImport } from './commands/import.js';
import { registerList } from './commands/list.js';
import { registerLog } from './commands/log.js';
import { registerQuery } from './commands/query.js';
import { registerServe } from './commands/serve.js';
import { registerSet } from './commands/set.js';
import { registerStatus } from './commands/status.js';
import { registerVerify } from './commands/verify.js';
import { registerView } from './commands/view.js';
import { registerWatch } from './commands/watch.js';
import { url } from './args.js';
import { examples } from './help.js';

function packageVersion(): string {
  // dist/cli/program.js and src/cli/program.ts both sit two levels below package.json.
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** The `kdelta` command tree. Command modules load their heavy dependencies only when they run. */
export function createProgram(): Command {
  const program = new Command('kdelta')
    .description('KoruDelta: a causal database where every write is a version')
    .version(packageVersion(), '-V, --version', 'print the version')
    .addOption(new Option('-d, --db-path <dir>', 'database directory (default: $KORU_DB_PATH, else ~/.korudelta/db)'))
    .option('-u, --url <url>', 'use the kdelta server at <url> instead of a local database', url)
    .option('--json', 'machine-readable JSON on stdout')
    .option('--no-color', 'no colours (also off when NO_COLOR is set or stdout is not a terminal)')
    .showSuggestionAfterError(true)
    .helpCommand(true)
    .exitOverride();
  for (const register of [
    registerSet, registerGet, registerDelete, registerLog, registerDiff, registerList, registerStatus,
    registerQuery, registerView, registerWatch, registerExport, registerImport, registerVerify, registerServe,
  ]) {
    register(program);
  }
  return examples(program, [
    `kdelta set users/alice '{"name":"Alice","age":30}'`,
    'kdelta get users/alice',
    'kdelta log users/alice',
    `kdelta query users -f 'age >= 18' --sort name`,
    'kdelta --url http://127.0.0.1:8080 status',
  ]);
}
