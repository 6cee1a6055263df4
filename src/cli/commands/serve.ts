import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import type { RunningServer } from '../../server/index.js';
import { port, positiveInt } from '../args.js';
import { CliError, UsageError } from '../errors.js';
import { examples } from '../help.js';
import { run, type Session } from '../session.js';
import { onShutdown } from '../../server/signals.js';

interface ServeOptions {
  port: number;
  bind: string;
  cors?: string;
  maxBody?: number;
  workers: string;
}

/** A running server; a multi-process one may also fail on its own (workers kept dying). */
type Served = RunningServer & { failed?: Promise<never> };

/** `--workers`: a positive integer, or `auto` for one per CPU the process may use. */
function workerCount(text: string): number {
  const t = text.trim().toLowerCase();
  if (t === 'auto') return availableParallelism();
  if (!/^\d+$/.test(t) || Number(t) < 1) {
    throw new UsageError(`Invalid --workers ${JSON.stringify(text)}: expected a positive integer or auto`, 'Try: kdelta serve --workers 2 (or --workers auto for one per CPU)');
  }
  return Number(t);
}

/** A failed listen explained: which address, and why. */
function listenError(err: unknown, o: ServeOptions): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const where = `${o.bind}:${o.port}`;
  if (code === 'EADDRINUSE') return new CliError(`Cannot listen on ${where}: address already in use`, code, `Try: kdelta serve --port ${o.port + 1}`);
  if (code === 'EACCES') return new CliError(`Cannot listen on ${where}: permission denied`, code, 'Ports below 1024 need privileges; try --port 8080');
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return new CliError(`Cannot listen on ${where}: no such local address`, code, 'Try: --bind 127.0.0.1');
  return err;
}

/** One process (the default), or a primary with `workers` worker processes sharing the port. */
async function start(s: Session, o: ServeOptions, workers: number): Promise<Served> {
  const options = { dbPath: s.localPath(), port: o.port, bind: o.bind, cors: o.cors, maxBodyBytes: o.maxBody };
  try {
    if (workers === 1) {
      const { serve } = await import('../../server/index.js');
      return await serve(options);
    }
    const { serveCluster } = await import('../../server/index.js');
    return await serveCluster({ ...options, workers });
  } catch (err) {
    throw listenError(err, o);
  }
}

async function serveUntilSignal(s: Session, o: ServeOptions): Promise<void> {
  s.requireLocal('serve');
  const server = await start(s, o, workerCount(o.workers));
  let stopping: Promise<void> | undefined;
  let wake!: () => void;
  const signalled = new Promise<void>((resolve) => { wake = resolve; });
  const dispose = onShutdown(() => {
    stopping = server.close();
    wake();
  });
  if (s.json) s.print(JSON.stringify({ url: server.url }));
  else s.print(`Listening on ${server.url}`);
  try {
    await (server.failed ? Promise.race([signalled, server.failed]) : signalled);
    await stopping;
  } finally {
    dispose();
  }
}

export function registerServe(program: Command): void {
  const cmd = program
    .command('serve')
    .alias('start')
    .description('run the HTTP API server on a database (Ctrl-C or SIGTERM stops it cleanly)')
    .option('--port <port>', 'TCP port (0 picks a free one)', port, 8080)
    .option('--bind <address>', 'address to listen on (0.0.0.0 for every interface)', '127.0.0.1')
    .option('--cors <origin>', 'allow browser requests from <origin> (off by default)')
    .option('--max-body <bytes>', 'largest accepted request body (default 16 MiB)', positiveInt)
    .option('--workers <n>', 'server processes sharing the port: a number, or auto for one per CPU', '1')
    .action((opts: ServeOptions, command: Command) => run(command, (s) => serveUntilSignal(s, opts)));
  examples(cmd, [
    'kdelta serve',
    'kdelta -d ./data serve --port 9000 --bind 0.0.0.0',
    'kdelta serve --workers auto',
    'kdelta serve --cors https://app.example.com --max-body 1048576',
  ]);
}
