import type { Command } from 'commander';
import { checkSeqInLog } from '../../events/filter.js';
import type { ChangeEvent, ChangeType, SubscriptionFilter } from '../../events/types.js';
import { parseSince } from '../args.js';
import { UsageError } from '../errors.js';
import { compact } from '../format.js';
import { examples } from '../help.js';
import { run, type Session } from '../session.js';
import { onShutdown } from '../../server/signals.js';

interface WatchOptions {
  all?: boolean;
  since?: string;
  filter?: string;
  insertsOnly?: boolean;
  updatesOnly?: boolean;
  deletesOnly?: boolean;
}

function buildFilter(target: string | undefined, o: WatchOptions): SubscriptionFilter {
  if (target === undefined && !o.all) throw new UsageError('Give a namespace, a namespace/key, or --all', 'Try: kdelta watch users');
  if (target !== undefined && o.all) throw new UsageError('--all watches every namespace: give it without a namespace');
  const filter: SubscriptionFilter = {};
  if (target !== undefined) {
    const slash = target.indexOf('/');
    filter.namespace = slash === -1 ? target : target.slice(0, slash);
    if (slash !== -1 && slash < target.length - 1) filter.key = target.slice(slash + 1);
  }
  const types: ChangeType[] = [];
  if (o.insertsOnly) types.push('insert');
  if (o.updatesOnly) types.push('update');
  if (o.deletesOnly) types.push('delete');
  if (types.length > 0) filter.changeTypes = types;
  if (o.filter !== undefined) filter.filter = o.filter;
  if (o.since !== undefined) filter.since = parseSince(o.since);
  return filter;
}

function formatEvent(e: ChangeEvent, s: Session): string {
  const paint = e.changeType === 'insert' ? s.style.green : e.changeType === 'update' ? s.style.yellow : s.style.red;
  const head = `${s.style.dim(`[${e.timestamp}]`)} ${paint(e.changeType.toUpperCase())} ${e.namespace}/${e.key}`;
  return e.changeType === 'delete' ? head : `${head} = ${compact(e.value)}`;
}

function describeTarget(filter: SubscriptionFilter): string {
  if (filter.namespace === undefined) return 'all namespaces';
  return filter.key === undefined ? `namespace '${filter.namespace}'` : `${filter.namespace}/${filter.key}`;
}

export function registerWatch(program: Command): void {
  const cmd = program
    .command('watch')
    .description('print changes as they happen (also those made by other processes) until Ctrl-C')
    .argument('[target]', 'a namespace, or namespace/key')
    .option('--all', 'watch every namespace')
    .option('--since <seq|time>', 'first replay changes after sequence number <seq>, or from <time> on')
    .option('-f, --filter <expr>', 'only changes whose value matches the filter expression')
    .option('--inserts-only', 'only new keys')
    .option('--updates-only', 'only changes to existing keys')
    .option('--deletes-only', 'only deletions')
    .action((target: string | undefined, opts: WatchOptions, command: Command) =>
      run(command, async (s) => {
        const filter = buildFilter(target, opts);
        s.subject = { namespace: filter.namespace, key: filter.key };
        const stop = new AbortController();
        const dispose = onShutdown(() => stop.abort());
        // Waiting for changes is this command's whole job: keep the process up whatever the feed holds.
        const keepAlive = setInterval(() => undefined, 1 << 30);
        try {
          const backend = await s.backend();
          // The filter is checked here (no request is made until the first next())...
          const events = backend.watch(filter, stop.signal)[Symbol.asyncIterator]();
          // ...and a server that is not there, or a seq past its log, fails before "Watching" is said.
          if (s.url !== undefined) {
            const { lastSeq } = await backend.status();
            if (typeof filter.since === 'number') checkSeqInLog(filter.since, lastSeq);
          }
          // Ask for the first event before saying we are watching, so the subscription is live.
          let next = events.next();
          s.note(`Watching ${describeTarget(filter)} (Ctrl-C to stop)`);
          for (let r = await next; !r.done; r = await next) {
            s.print(s.json ? JSON.stringify(r.value) : formatEvent(r.value, s));
            next = events.next();
          }
        } finally {
          clearInterval(keepAlive);
          dispose();
        }
      }));
  examples(cmd, [
    'kdelta watch users',
    'kdelta watch users/alice --updates-only',
    'kdelta watch --all --json',
    'kdelta watch orders --since 1200        # replay after change #1200, then stay live',
    `kdelta watch orders --since '10m ago' -f 'amount > 100'`,
  ]);
}
