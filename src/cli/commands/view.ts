import type { Command } from 'commander';
import type { ViewDefinition, ViewInfo } from '../../views/types.js';
import { nonNegativeInt } from '../args.js';
import { plural } from '../format.js';
import { formatQueryResult } from '../format-query.js';
import { examples } from '../help.js';
import { run } from '../session.js';
import type { Style } from '../style.js';

function formatInfo(verb: string, v: ViewInfo, style: Style): string[] {
  return [style.green('OK'), `  ${verb} view: ${v.name}`, `  Namespace: ${v.namespace}`, `  Records: ${v.recordCount}`, `  Last refreshed: ${v.lastRefreshed}`];
}

function formatList(views: readonly ViewInfo[], style: Style): string[] {
  if (views.length === 0) return ['No views found'];
  const lines = [style.bold('Views:')];
  for (const v of views) {
    const auto = v.autoRefresh ? ', auto-refresh' : '';
    lines.push(`  * ${v.name} (${v.namespace}, ${plural(v.recordCount, 'record')}${auto})`);
    if (v.description) lines.push(`    ${style.dim(v.description)}`);
  }
  return lines;
}

function registerCreate(view: Command): void {
  const cmd = view
    .command('create')
    .description('create a materialized view of a namespace (persisted, survives restarts)')
    .argument('<name>', 'view name')
    .argument('<ns>', 'namespace it reads')
    .option('-f, --filter <expr>', 'filter expression')
    .option('--description <text>', 'what the view is for')
    .option('--auto-refresh', 'refresh on every write to the namespace')
    .action((name: string, namespace: string, opts: { filter?: string; description?: string; autoRefresh?: boolean }, command: Command) =>
      run(command, async (s) => {
        s.subject = { namespace, view: name };
        const def: ViewDefinition = { name, namespace, autoRefresh: opts.autoRefresh === true };
        if (opts.filter !== undefined) def.query = { filter: opts.filter };
        if (opts.description !== undefined) def.description = opts.description;
        const info = await (await s.backend()).createView(def);
        if (s.json) s.printJson(info);
        else s.print(formatInfo('Created', info, s.style));
      }));
  examples(cmd, [`kdelta view create adults users -f 'age >= 18' --description 'grown-ups' --auto-refresh`]);
}

function registerSimple(view: Command): void {
  const list = view.command('list').description('list views').action((_opts: unknown, command: Command) =>
    run(command, async (s) => {
      const views = await (await s.backend()).listViews();
      if (s.json) s.printJson(views);
      else s.print(formatList(views, s.style));
    }));
  examples(list, ['kdelta view list', 'kdelta view list --json']);
  const refresh = view.command('refresh').description('recompute a view now').argument('<name>', 'view name')
    .action((name: string, _opts: unknown, command: Command) =>
      run(command, async (s) => {
        const info = await (await s.backend()).refreshView(name);
        if (s.json) s.printJson(info);
        else s.print(formatInfo('Refreshed', info, s.style));
      }));
  examples(refresh, ['kdelta view refresh adults']);
  const remove = view.command('delete').description('delete a view (its source data stays)').argument('<name>', 'view name')
    .action((name: string, _opts: unknown, command: Command) =>
      run(command, async (s) => {
        await (await s.backend()).deleteView(name);
        if (s.json) s.printJson({ name, deleted: true });
        else s.print([s.style.green('OK'), `  Deleted view: ${name}`]);
      }));
  examples(remove, ['kdelta view delete adults']);
}

function registerQuery(view: Command): void {
  const cmd = view
    .command('query')
    .description("print a view's records")
    .argument('<name>', 'view name')
    .option('-l, --limit <n>', 'at most n records', nonNegativeInt)
    .action((name: string, opts: { limit?: number }, command: Command) =>
      run(command, async (s) => {
        const result = await (await s.backend()).queryView(name);
        if (opts.limit !== undefined) result.records = result.records.slice(0, opts.limit);
        if (s.json) s.printJson(result);
        else s.print(formatQueryResult(result, { title: `View '${name}' results`, showRecords: true }, s.style));
      }));
  examples(cmd, ['kdelta view query adults', 'kdelta view query adults -l 10 --json']);
}

export function registerView(program: Command): void {
  const view = program.command('view').description('materialized views: create, list, refresh, query, delete');
  registerCreate(view);
  registerSimple(view);
  registerQuery(view);
  examples(view, [
    `kdelta view create active users -f 'status = "active"' --auto-refresh`,
    'kdelta view list',
    'kdelta view refresh active',
    'kdelta view query active -l 10',
    'kdelta view delete active',
  ]);
}
