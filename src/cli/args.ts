import { serverUrl } from '../client/server-url.js';
import { formatMicros, toMicros } from '../engine/time.js';
import { CliError, UsageError, badArgument } from './errors.js';
import { INEXACT_NUMBER_WHY, findInexactNumber } from '../engine/json-numbers.js';
import { shellQuote } from './shell-quote.js';

export interface KeyRef {
  namespace: string;
  key: string;
}

/** `ns/key`: the first `/` splits, so `files/a/b.txt` is namespace `files`, key `a/b.txt`. */
export function parseKey(text: string, command: string): KeyRef {
  const slash = text.indexOf('/');
  if (slash <= 0 || slash === text.length - 1) {
    const example = slash === -1 ? `<namespace>/${text}` : slash === 0 ? `<namespace>${text}` : `${text}<key>`;
    throw new CliError(
      `Invalid key ${JSON.stringify(text)}: expected the form namespace/key`,
      'INVALID_KEY',
      `Try: kdelta ${command} ${example}`,
    );
  }
  return { namespace: text.slice(0, slash), key: text.slice(slash + 1) };
}

/** Parses a value given on the command line; the error hint shows how to quote it. */
export function parseJsonValue(text: string, keyText: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const trimmed = text.trim();
    const structured = /^[[{"]/.test(trimmed);
    const hint = structured
      ? `Strings and object keys need double quotes, e.g. kdelta set ${keyText} '{"name":"Alice"}'`
      : `Try: kdelta set ${keyText} ${shellQuote(JSON.stringify(text))}`;
    const detail = structured ? ` (${(err as Error).message})` : '';
    throw new CliError(`Invalid JSON value: ${text}${detail}`, 'INVALID_VALUE', hint);
  }
  rejectInexactNumbers(text, keyText);
  return value;
}

/** A number JSON.parse would round (`12345678901234567890`) is refused, not stored changed. */
function rejectInexactNumbers(text: string, keyText: string): void {
  const found = findInexactNumber(text);
  if (found === undefined) return;
  const { literal, path } = found;
  const quoted = JSON.stringify(literal);
  throw new CliError(
    `Number ${literal} at ${path} cannot be stored exactly (${INEXACT_NUMBER_WHY})`,
    'INVALID_VALUE',
    path === '$' ? `To keep every digit, store it as a string: kdelta set ${shellQuote(keyText)} ${shellQuote(quoted)}` : `To keep every digit, store it as a string: ${quoted}`,
  );
}

/**
 * Resolves a time argument here, so `5m ago` means five minutes before this command ran even when a
 * remote server evaluates it; invalid input, out of range included, fails with the library's
 * INVALID_TIME error quoting what was typed.
 */
export function parseTime(text: string): string {
  return formatMicros(toMicros(text));
}

/** `--since`: a bare integer is a change sequence number, anything else a time. */
export function parseSince(text: string): number | string {
  if (/^\d+$/.test(text.trim())) return Number(text);
  // Not an epoch time here (a bare number is a sequence number), and sequence numbers start at 0.
  if (/^-\d+$/.test(text.trim())) throw new UsageError(`Invalid --since ${text.trim()}: a change sequence number is 0 or more`, 'Try: --since 0 (every change), or a time such as --since \'10m ago\'');
  return parseTime(text);
}

// ---- commander option parsers (their failures are usage errors, exit 2) ----------------------

export function nonNegativeInt(value: string): number {
  if (!/^\d+$/.test(value.trim())) badArgument('expected a non-negative integer');
  return safeInteger(value);
}

export function positiveInt(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) badArgument('expected a positive integer');
  return safeInteger(value);
}

export function integer(value: string): number {
  if (!/^-?\d+$/.test(value.trim())) badArgument('expected an integer (0 = oldest, -1 = latest)');
  return safeInteger(value);
}

/** Digits as a number, refused when a double cannot hold them exactly (it would silently become another number). */
function safeInteger(digits: string): number {
  const n = Number(digits);
  if (!Number.isSafeInteger(n)) badArgument(`${digits.trim()} is too large (at most ${Number.MAX_SAFE_INTEGER} either way)`);
  return n;
}

export function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 65535) badArgument('expected a port number (0-65535)');
  return n;
}

/** `--url`: checked as the client checks it, so a bad one is a usage error before anything runs. */
export function url(value: string): string {
  try {
    serverUrl(value);
  } catch (err) {
    badArgument((err as Error).message);
  }
  return value;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function list(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter((s) => s !== '');
}
