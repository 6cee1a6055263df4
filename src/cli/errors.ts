import { InvalidArgumentError } from 'commander';

/**
 * A failure the CLI reports itself (not one of the library's): bad input caught before any database
 * call. `exitCode` 1 for invalid input, 2 for usage errors; `code` follows the library's codes where
 * one fits, so `--json` error output stays uniform.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code: string = 'CLI_ERROR',
    readonly hint?: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** A command used wrongly (missing or conflicting options): exit code 2. */
export class UsageError extends CliError {
  constructor(message: string, hint?: string) {
    super(message, 'USAGE', hint, 2);
    this.name = 'UsageError';
  }
}

/** For commander option parsers: reported by commander as a usage error (exit 2). */
export function badArgument(message: string): never {
  throw new InvalidArgumentError(message);
}
