import type { Command } from 'commander';
import { nonNegativeInt, port } from '../args.js';
import { CliError } from '../errors.js';
import { examples } from '../help.js';
import { run, type Session } from '../session.js';
import { onShutdown } from '../signals.js';

interface ServeOptions {
  port: number;
  bind: string;
  cors?: string;
  maxBody?: number;
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

async function serveUntilSignal(s: Session, o: ServeOptions): Promise<void> {
  s.requireLocal('serve');
  const { serve } = await import('../../server/index.js');
  let server: Awaited<ReturnType<typeof serve>>;
  try {
    server = await serve({ dbPath: s.dbPath, port: o.port, bind: o.bind, cors: o.cors, maxBodyBytes: o.maxBody });
  } catch (err) {
    throw listenError(err, o);
  }
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
    await signalled;
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
    .option('--max-body <bytes>', 'largest accepted request body (default 16 MiB)', nonNegativeInt)
    .action((opts: ServeOptions, command: Command) => run(command, (s) => serveUntilSignal(s, opts)));
  examples(cmd, [
    'kdelta serve',
    'kdelta -d ./data serve --port 9000 --bind 0.0.0.0',
    'kdelta serve --cors https://app.example.com --max-body 1048576',
  ]);
}
