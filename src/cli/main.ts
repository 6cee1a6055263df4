import { CommanderError, type Command } from 'commander';
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
  const help = helpArgs(program, argv.slice(2));
  if (help === undefined) {
    process.exitCode = 2;
    return;
  }
  try {
    await program.parseAsync([...argv.slice(0, 2), ...help]);
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

/**
 * `kdelta help <command> [<subcommand>]` as `<command> [<subcommand>] --help` (commander's own help
 * command stops at the first level and says nothing of an unknown name); other arguments as they
 * are. Undefined, after saying so, for a name that is no command.
 */
function helpArgs(program: Command, args: string[]): string[] | undefined {
  const at = commandIndex(program, args);
  if (args[at] !== 'help' || args.length < at + 2 || args[at + 1].startsWith('-')) return args;
  if (args[at + 1] === 'help') return ['--help'];
  const names: string[] = [];
  let command = program;
  for (const name of args.slice(at + 1)) {
    if (name.startsWith('-')) break;
    const sub = command.commands.find((c) => c.name() === name || c.aliases().includes(name));
    if (sub === undefined) {
      process.stderr.write(`error: unknown command '${[...names, name].join(' ')}' (kdelta help${names.length ? ` ${names.join(' ')}` : ''} lists them)\n`);
      return undefined;
    }
    names.push(name);
    command = sub;
  }
  return [...args.slice(0, at), ...names, '--help'];
}

/** Where the command's name is: after the program's own options and their values (`-d <dir>`). */
function commandIndex(program: Command, args: string[]): number {
  let i = 0;
  while (i < args.length && args[i].startsWith('-')) {
    const [flag] = args[i].split('=', 1);
    const option = program.options.find((o) => o.short === flag || o.long === flag);
    i += option !== undefined && (option.required || option.optional) && !args[i].includes('=') ? 2 : 1;
  }
  return i;
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
