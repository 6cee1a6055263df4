import { CommanderError } from 'commander';
import { createProgram } from './program.js';

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
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    // --help and --version "fail" with exit code 0; anything else commander rejects is misuse.
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  }
  // Every command has closed what it opened; should a library handle still linger, do not hang.
  setTimeout(() => process.exit(), 2000).unref();
}
