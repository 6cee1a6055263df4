import { CommanderError } from 'commander';
import { createProgram } from './program.js';
import { shellQuote } from './shell-quote.js';

/**
 * Entry point of `kdelta` (bin/kdelta.js). Sets `process.exitCode`: 0 success, 1 failure (not
 * found, invalid input, damaged database), 2 usage error. Commands report their own failures; this
 * only maps commander's parse errors.
 */
export async function main(argv: string[]): Promise<void> {
  // `kdelta export | head` closes stdout early: stop quietly instead of crashing on EPIPE.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  const program = createProgram();
  // `kdelta help <name>` of no command would print the general help without saying why.
  const [first, second] = argv.slice(2);
  if (first === 'help' && second !== undefined && !second.startsWith('-') && !program.commands.some((c) => c.name() === second || c.aliases().includes(second))) {
    process.stderr.write(`error: unknown command '${second}' (kdelta help lists them)\n`);
    process.exitCode = 2;
    return;
  }
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    // --help and --version "fail" with exit code 0; anything else commander rejects is misuse.
    process.exitCode = err.exitCode === 0 ? 0 : 2;
    if (err.code === 'commander.excessArguments') {
      const hint = keyHint(argv.slice(2));
      if (hint) process.stderr.write(`${hint}\n`);
    }
  }
  // Every command has closed what it opened; should a library handle still linger, do not hang.
  setTimeout(() => process.exit(), 2000).unref();
}

/** Commands whose first argument is a key, written `ns/key`. */
const KEY_COMMANDS = new Set(['set', 'get', 'delete', 'log', 'history', 'diff']);

/**
 * A "Try:" line for `kdelta get users alice`, the commonest excess-argument mistake: the namespace
 * and key given as two words instead of `users/alice`.
 */
export function keyHint(args: readonly string[]): string | undefined {
  const at = args.findIndex((a) => KEY_COMMANDS.has(a));
  if (at < 0) return undefined;
  const [first, second, ...rest] = args.slice(at + 1);
  if (first === undefined || second === undefined || first.startsWith('-') || second.startsWith('-') || first.includes('/')) return undefined;
  return `Try: kdelta ${[...args.slice(0, at + 1), `${first}/${second}`, ...rest].map(shellQuote).join(' ')}`;
}
