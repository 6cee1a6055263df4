import type { Command } from 'commander';
import type { VerifyReport } from '../../engine/types.js';
import { CliError } from '../errors.js';
import { plural } from '../format.js';
import { examples } from '../help.js';
import { run } from '../session.js';
import type { Style } from '../style.js';

function formatReport(r: VerifyReport, style: Style): string[] {
  const lines = [
    r.ok ? style.green('Database OK') : style.red(`Database DAMAGED: ${plural(r.issues.length, 'problem')} found`),
    `  Keys checked: ${r.keysChecked}`,
    `  Versions checked: ${r.versionsChecked}`,
  ];
  for (const i of r.issues) {
    const version = i.versionId === undefined ? '' : ` (version ${i.versionId})`;
    // Change-log problems may name no key.
    const where = i.namespace === '' ? '' : ` ${i.namespace}/${i.key}`;
    lines.push(`  * ${style.red(i.kind)}${where}${version}: ${i.message}`);
  }
  return lines;
}

export function registerVerify(program: Command): void {
  const cmd = program
    .command('verify')
    .description('check the whole database: every content hash, history chain and the change log (exit 1 if damaged)')
    .action((_opts: unknown, command: Command) =>
      run(command, async (s) => {
        const report = await (await s.backend()).verify();
        if (s.json) s.printJson(report);
        else s.print(formatReport(report, s.style));
        if (!report.ok) {
          throw new CliError(
            `Verification failed: ${plural(report.issues.length, 'problem')} found`,
            'CORRUPTED',
            'Restore the damaged keys from a backup or an export (kdelta import)',
          );
        }
      }));
  examples(cmd, ['kdelta verify', 'kdelta -d ./data verify --json']);
}
