import cluster, { type Worker } from 'node:cluster';
import { createServer, type AddressInfo } from 'node:net';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { createLogger } from './logger.js';
import type { RunningServer, ServeOptions } from './serve.js';

/**
 * Multi-process serving (`kdelta serve --workers <n>`).
 *
 * Why: answering JSON over HTTP is CPU work in JavaScript, and one Node process uses one core for
 * it, so on a machine with several cores one process leaves most of them idle. node:cluster runs n
 * copies of the server behind one listening port: the primary accepts connections and hands them to
 * the workers in turn (node:cluster's round-robin), so long-lived keep-alive connections spread
 * evenly.
 *
 * Why nothing is shared but the port: each worker opens the same LMDB database, and LMDB is
 * multi-process. Every write is its own transaction, durable before it is acknowledged, whichever
 * worker makes it; caches revalidate against the store (the GET cache compares head bytes, the hot
 * cache follows the change log); change feeds poll the change log for other processes' writes; views
 * are kept inside each write transaction by whichever process writes. So the primary holds no
 * database and answers no request: it forks, watches, replaces and stops workers.
 */

/** What a worker reports to the primary, once: it is serving, or it could not start. */
export type WorkerReport = { kind: 'listening'; url: string } | { kind: 'failed'; code?: string; message: string };
/** What the primary tells a worker. */
export interface WorkerOrder {
  kind: 'stop';
}
/** The serve() options a worker gets, as JSON in its environment (a logger does not travel). */
export type WorkerServeOptions = Omit<ServeOptions, 'logger'>;
/** The environment variable holding a worker's WorkerServeOptions. */
export const WORKER_OPTIONS_ENV = 'KORU_WORKER_OPTIONS';

export interface ClusterOptions extends WorkerServeOptions {
  /** Worker processes to run, at least 1. */
  workers: number;
  /** For the primary's own lines (workers started, died, replaced); workers log for themselves. */
  logger?: Logger;
}

export interface ClusterServer extends RunningServer {
  /**
   * Rejects (code `WORKERS_FAILED`) when the primary gives up because workers keep dying, after
   * stopping the rest. Never resolves.
   */
  readonly failed: Promise<never>;
}

/** Workers may die this many times within RESTART_WINDOW_MS before the primary gives up. */
export const RESTART_LIMIT = 5;
export const RESTART_WINDOW_MS = 30_000;

/** Counts unexpected worker exits in a sliding window: replacing workers that die at once forever helps nobody. */
export class RestartBudget {
  #exits: number[] = [];

  constructor(readonly limit = RESTART_LIMIT, readonly windowMs = RESTART_WINDOW_MS) {}

  /** Records an exit at `now`; false once `limit` exits fell within the window (give up). */
  spend(now = Date.now()): boolean {
    this.#exits = this.#exits.filter((t) => now - t < this.windowMs);
    this.#exits.push(now);
    return this.#exits.length < this.limit;
  }
}

interface Child {
  worker: Worker;
  /** Settles with the worker's first report: its URL, or why it could not start. */
  ready: Promise<string>;
  exited: Promise<number>;
  stopping: boolean;
}

function codedError(message: string, code: string | undefined): Error {
  return Object.assign(new Error(message), code === undefined ? {} : { code });
}

/**
 * A free port on `host`, so every worker (and every replacement) listens on the same explicit port:
 * node:cluster shares one listening socket per address and port, and `port: 0` would give a
 * replacement started after all workers died a different port than the one announced.
 */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function workerEntry(): string {
  // dist/server/cluster.js forks dist/server/cluster-worker.js; under tsx, the .ts next to this file.
  const self = fileURLToPath(import.meta.url);
  return fileURLToPath(new URL(`./cluster-worker${extname(self)}`, import.meta.url));
}

class Primary {
  readonly #options: ClusterOptions;
  readonly #logger: Logger;
  readonly #children = new Set<Child>();
  readonly #budget = new RestartBudget();
  #env: NodeJS.ProcessEnv = {};
  /** Set once every first worker listens: only then is a worker's death a reason to replace it. */
  #serving = false;
  #closing?: Promise<void>;
  #giveUp!: (err: Error) => void;
  readonly failed = new Promise<never>((_, reject) => { this.#giveUp = reject; });

  constructor(options: ClusterOptions) {
    this.#options = options;
    this.#logger = options.logger ?? createLogger();
    this.failed.catch(() => undefined);
  }

  /** Starts every worker on one port; resolves with the URL once all of them listen. */
  async start(): Promise<string> {
    const { logger: _, workers: __, ...serve } = this.#options;
    const bind = serve.bind ?? '127.0.0.1';
    cluster.setupPrimary({ exec: workerEntry(), args: [] });
    // A free port picked here can be taken by someone else before the workers bind it: pick again.
    for (let attempt = 1; ; attempt++) {
      const port = serve.port === 0 ? await freePort(bind) : (serve.port ?? 8080);
      this.#env = { [WORKER_OPTIONS_ENV]: JSON.stringify({ ...serve, port }) };
      const children = Array.from({ length: this.#options.workers }, () => this.#fork());
      const started = await Promise.allSettled(children.map((c) => c.ready));
      const failure = started.find((r) => r.status === 'rejected');
      if (!failure) {
        this.#serving = true;
        return (started[0] as PromiseFulfilledResult<string>).value;
      }
      await this.#stopAll();
      const err = failure.reason as NodeJS.ErrnoException;
      if (serve.port !== 0 || err.code !== 'EADDRINUSE' || attempt >= 3) throw err;
    }
  }

  /** Stops every worker gracefully; resolves once all have exited (rejects if one failed to). */
  close(): Promise<void> {
    this.#closing ??= this.#stopAll().then((codes) => {
      const bad = codes.filter((c) => c !== 0).length;
      this.#logger.info({ workers: codes.length }, 'workers stopped');
      this.#logger.flush();
      if (bad > 0) throw new Error(`${bad} of ${codes.length} workers did not stop cleanly`);
    });
    return this.#closing;
  }

  #fork(): Child {
    const worker = cluster.fork(this.#env);
    const exited = new Promise<number>((resolve) => {
      worker.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
    const ready = new Promise<string>((resolve, reject) => {
      worker.on('message', (m: WorkerReport) => {
        if (m?.kind === 'listening') resolve(m.url);
        else if (m?.kind === 'failed') reject(codedError(m.message, m.code));
      });
      void exited.then((code) => reject(new Error(`worker ${worker.id} exited with code ${code} before listening`)));
    });
    ready.catch(() => undefined);
    const child: Child = { worker, ready, exited, stopping: false };
    this.#children.add(child);
    worker.once('exit', (code, signal) => this.#exited(child, code, signal));
    return child;
  }

  #exited(child: Child, code: number | null, signal: string | null): void {
    this.#children.delete(child);
    if (child.stopping || this.#closing || !this.#serving) return;
    const { id, process: { pid: workerPid } } = child.worker;
    if (!this.#budget.spend()) {
      this.#logger.fatal({ worker: id, workerPid, code, signal }, `worker died; ${RESTART_LIMIT} worker deaths within ${RESTART_WINDOW_MS / 1000} s, giving up`);
      const err = codedError(`Workers keep dying (${RESTART_LIMIT} within ${RESTART_WINDOW_MS / 1000} s); the server stopped`, 'WORKERS_FAILED');
      void this.close().catch(() => undefined).finally(() => this.#giveUp(err));
      return;
    }
    this.#logger.error({ worker: id, workerPid, code, signal }, 'worker died; starting a replacement');
    const next = this.#fork();
    next.ready.then(
      () => this.#logger.info({ worker: next.worker.id, workerPid: next.worker.process.pid }, 'replacement worker listening'),
      (err: Error) => this.#logger.error({ worker: next.worker.id, err: err.message }, 'replacement worker failed to start'),
    );
  }

  /** Tells every live worker to stop and waits for all of them to exit. */
  #stopAll(): Promise<number[]> {
    const children = [...this.#children];
    for (const child of children) {
      child.stopping = true;
      const order: WorkerOrder = { kind: 'stop' };
      // A worker whose channel is already gone stops by itself (it watches for the disconnect).
      if (child.worker.isConnected()) child.worker.send(order, (err: Error | null) => void err);
    }
    return Promise.all(children.map((c) => c.exited));
  }
}

/**
 * Serves the database with `workers` processes sharing one port (see the top of this file). Resolves
 * once every worker listens, with the shared URL; rejects with the first worker's error (its
 * `code`, e.g. EADDRINUSE, intact) after stopping the others if any cannot start. A worker that dies
 * later is logged and replaced, until RESTART_LIMIT deaths within RESTART_WINDOW_MS: then `failed`
 * rejects. `close()` stops every worker gracefully (each finishes in-flight requests, ends change
 * feeds and closes its database handle). Call it from a process's primary only.
 */
export async function serveCluster(options: ClusterOptions): Promise<ClusterServer> {
  if (!Number.isInteger(options.workers) || options.workers < 1) throw new TypeError('workers must be a positive integer');
  const primary = new Primary(options);
  const url = await primary.start();
  return { url, close: () => primary.close(), failed: primary.failed };
}
