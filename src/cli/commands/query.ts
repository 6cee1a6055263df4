import type { Command } from 'commander';
import { collect, list, nonNegativeInt } from '../args.js';
import { formatQueryResult } from '../format-query.js';
import { examples } from '../help.js';
import { buildQuery, type QueryOptions } from '../query-options.js';
import { run } from '../session.js';

export function registerQuery(program: Command): void {
  const cmd = program
    .command('query')
    .description('filter, sort, project and aggregate the documents of a namespace')
    .argument('<ns>', 'namespace')
    .option('-f, --filter <expr>', 'filter expression, e.g. \'age >= 18 and status = "active"\'')
    .option('-s, --sort <field>', 'sort by field (repeatable; field:asc or field:desc for one field)', collect)
    .option('--desc', 'sort descending')
    .option('-l, --limit <n>', 'at most n records', nonNegativeInt)
    .option('--offset <n>', 'skip the first n matches', nonNegativeInt)
    .option('--project <fields>', 'keep only these comma-separated fields', list)
    .option('--count', 'count the matches')
    .option('--sum <field>', 'sum of a numeric field')
    .option('--avg <field>', 'average of a numeric field')
    .option('--min <field>', 'minimum of a field')
    .option('--max <field>', 'maximum of a field')
    .option('--distinct <field>', 'distinct values of a field')
    .option('--group-by <field>', 'group matches by a field and aggregate each group (count by default)')
    .option('--at <time>', 'query the documents as they were at <time>')
    .action((namespace: string, opts: QueryOptions, command: Command) =>
      run(command, async (s) => {
        s.subject = { namespace };
        const query = buildQuery(opts);
        const result = await (await s.backend()).query(namespace, query);
        if (s.json) {
          s.printJson(result);
          return;
        }
        const showRecords = query.aggregate === undefined || opts.limit !== undefined;
        s.print(formatQueryResult(result, { title: 'Query results', aggregate: query.aggregate, showRecords }, s.style));
      }));
  examples(cmd, [
    `kdelta query users -f 'age >= 18 and status = "active"'`,
    'kdelta query users --sort age --desc -l 10 --project name,age',
    'kdelta query orders --sum amount',
    'kdelta query orders --group-by status --count --avg amount',
    `kdelta query users --count --at '1d ago' --json`,
  ]);
}
