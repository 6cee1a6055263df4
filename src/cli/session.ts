import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { KoruBackend } from '../client/backend.js';
import { databaseDirectory } from '../engine/open.js';
import { isKoruDeltaError } from '../errors.js';
import { CliError, UsageError } from './errors.js';
import { reportError, type Subject } from './report.js';
import { colorEnabled, createStyle, type Style } from './style.js';

/** The global options every command accepts (see program.ts). */
export interface GlobalOptions {
  dbPath?: string;
  url?: string;
  json?: boolean;
  color?: boolean;
}

export function defaultDbPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.KORU_DB_PATH || join(homedir(), '.korudelta', 'db');
}

/**
 * One command invocation: its output mode and colours, and the backend it talks to (a local
 * database or a server), opened on first use and always closed.
 */
export class Session {
  readonly json: boolean;
  readonly style: Style;
  readonly dbPath: string;
  readonly url: string | undefined;
  /** What the command works on; error hints name it. */
  subject: Subject = {};
  #backend?: Promise<KoruBackend>;

  constructor(options: GlobalOptions) {
    this.json = options.json === true;
    this.style = createStyle(colorEnabled(options.color !== false));
    this.dbPath = resolve(options.dbPath ?? defaultDbPath());
    this.url = options.url;
    this.#dbPathGiven = options.dbPath !== undefined;
  }

  readonly #dbPathGiven: boolean;

  /** Writes lines to stdout in one call (large outputs stay fast). */
  print(lines: string | readonly string[]): void {
    const text = typeof lines === 'string' ? lines : lines.join('\n');
    process.stdout.write(`${text}\n`);
  }

  printJson(value: unknown): void {
    process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** Status messages, on stderr so they never mix with the data on stdout. */
  note(text: string): void {
    process.stderr.write(`${this.style.dim(text)}\n`);
  }

  backend(): Promise<KoruBackend> {
    this.#backend ??= this.#open();
    return this.#backend;
  }

  async #open(): Promise<KoruBackend> {
    if (this.url !== undefined) {
      // Both is most likely a mistake (which database did the user mean?), not a choice to make silently.
      if (this.#dbPathGiven) throw new UsageError('Give either -d <dir> (a local database) or --url (a server), not both');
      const { openRemote } = await import('./remote-backend.js');
      return openRemote(this.url);
    }
    const { LocalBackend } = await import('./local-backend.js');
    return LocalBackend.open(this.localPath());
  }

  /**
   * The local database directory, checked as `KoruDelta.start` checks it (engine/open.ts), before
   * anything else: a file in the way is refused with a hint (`serve` checks before it forks workers).
   */
  localPath(): string {
    try {
      databaseDirectory(this.dbPath);
    } catch (err) {
      if (!isKoruDeltaError(err)) throw err;
      throw new CliError(err.message, err.code, 'Give -d a directory (created if missing)');
    }
    return this.dbPath;
  }

  async close(): Promise<void> {
    const pending = this.#backend;
    this.#backend = undefined;
    if (pending) await (await pending.catch(() => undefined))?.close();
  }

  /** Refuses `--url` for commands that only make sense on a local database. */
  requireLocal(command: string): void {
    if (this.url !== undefined) throw new UsageError(`kdelta ${command} runs on a local database; --url is not supported`);
  }
}

/** Runs a command body with a session, reporting failures and closing the backend. */
export async function run(command: Command, body: (session: Session) => Promise<void>): Promise<void> {
  const options = command.optsWithGlobals<GlobalOptions>();
  const session = new Session(options);
  try {
    // An empty -d (say, an unset shell variable) would resolve to the current directory.
    if (options.dbPath === '') throw new UsageError('-d/--db-path is empty: expected a database directory', 'Try: kdelta -d ./data <command>');
    await body(session);
  } catch (err) {
    reportError(err, session);
  } finally {
    await session.close().catch((err: unknown) => reportError(err, session));
  }
}
