/**
 * One worker process of `serveCluster()` (cluster.ts forks this file): serves the options the
 * primary put in its environment, on the port every worker shares, and reports to the primary that
 * it listens or why it could not start. It stops gracefully (finishes in-flight requests, ends
 * change feeds, closes its database handle) when the primary says so, when the primary is gone
 * (its channel closed), or on SIGINT/SIGTERM/SIGHUP, which a terminal's Ctrl-C sends to every
 * process of the group; a second signal exits at once, as `kdelta serve` does (see signals.ts).
 */
import cluster from 'node:cluster';
import { WORKER_OPTIONS_ENV, type WorkerOrder, type WorkerReport, type WorkerServeOptions } from './cluster.js';
import { serve, type RunningServer } from './serve.js';
import { onShutdown } from './signals.js';

function report(message: WorkerReport): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

/** Exits once the event loop drains (so the last log lines are written), or in 2 s regardless. */
function leave(code: number): void {
  process.exitCode = code;
  if (process.connected) process.disconnect();
  setTimeout(() => process.exit(), 2000).unref();
}

async function start(): Promise<RunningServer | undefined> {
  const options = JSON.parse(process.env[WORKER_OPTIONS_ENV] ?? '{}') as WorkerServeOptions;
  try {
    return await serve({ ...options, workerId: cluster.worker?.id ?? process.pid });
  } catch (err) {
    const e = err as { code?: unknown; message?: unknown } | undefined;
    await report({ kind: 'failed', code: typeof e?.code === 'string' ? e.code : undefined, message: typeof e?.message === 'string' ? e.message : String(err) });
    leave(1);
    return undefined;
  }
}

/**
 * Listens for the reasons to stop from the start, so an order that arrives while the server is still
 * opening is kept; `stop` runs once, as soon as there is a server to stop.
 */
function stopWhenAsked(): (server: RunningServer) => void {
  let asked = false;
  let stop = () => { asked = true; };
  process.on('message', (m: WorkerOrder) => {
    if (m?.kind === 'stop') stop();
  });
  process.on('disconnect', () => stop());
  // Counted apart from the primary's order: a group-wide signal may arrive after the order it caused.
  onShutdown(() => stop());
  return (server) => {
    let stopping = false;
    stop = () => {
      if (stopping) return;
      stopping = true;
      void server.close().then(() => leave(0), () => leave(1));
    };
    if (asked) stop();
  };
}

const serving = stopWhenAsked();
const server = await start();
if (server) {
  await report({ kind: 'listening', url: server.url });
  serving(server);
}
