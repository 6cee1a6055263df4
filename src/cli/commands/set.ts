import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parseJsonValue, parseKey } from '../args.js';
import { CliError, UsageError } from '../errors.js';
import { formatWrite } from '../format.js';
import { examples } from '../help.js';
import { run } from '../session.js';
import { shellQuote } from '../shell-quote.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function readSource(path: string): Promise<string> {
  if (path === '-') return readStdin();
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new CliError(`Cannot read ${path}: ${(err as Error).message}`, 'INVALID_VALUE');
  }
}

/** Text that reads as a JSON value: an object, array or string, or a bare number, true, false, null. */
function looksLikeJson(text: string): boolean {
  const t = text.trim();
  if (/^[[{"]/.test(t)) return true;
  try {
    JSON.parse(t);
    return true;
  } catch {
    return false;
  }
}

/** `kdelta set '{"a":1}' users/alice`: the value came first; the hint shows the command swapped. */
function rejectSwapped(keyText: string, json: string | undefined): void {
  if (json === undefined || !looksLikeJson(keyText) || looksLikeJson(json)) return;
  const slash = json.indexOf('/');
  if (slash <= 0 || slash === json.length - 1) return;
  throw new CliError(
    `Invalid key ${JSON.stringify(keyText)}: expected the form namespace/key (the key comes before the value)`,
    'INVALID_KEY',
    `Try: kdelta set ${shellQuote(json)} ${shellQuote(keyText)}`,
  );
}

export function registerSet(program: Command): void {
  const cmd = program
    .command('set')
    .description('store a JSON value as a new version of a key')
    .argument('<ns/key>', 'namespace/key (the first / splits: files/a/b.txt is key a/b.txt)')
    .argument('[json]', "the value as JSON ('\"text\"' for a string); - reads stdin")
    .option('--file <path>', 'read the JSON value from a file (- for stdin)')
    .action((keyText: string, json: string | undefined, opts: { file?: string }, command: Command) =>
      run(command, async (s) => {
        rejectSwapped(keyText, json);
        const ref = parseKey(keyText, 'set');
        s.subject = ref;
        if (json !== undefined && opts.file !== undefined) throw new UsageError('Give the value either as an argument or with --file, not both');
        if (json === undefined && opts.file === undefined) {
          // Piped input is not read unless asked for: a script's open stdin would hang the command.
          throw new UsageError('Missing value', process.stdin.isTTY
            ? `Try: kdelta set ${shellQuote(keyText)} '{"name":"Alice"}'  (or --file value.json)`
            : `Try: kdelta set ${shellQuote(keyText)} -  (- reads the value from stdin)`);
        }
        const source = opts.file ?? (json === '-' ? '-' : undefined);
        const text = source === undefined ? (json as string) : await readSource(source);
        const value = parseJsonValue(source === undefined ? text : text.trim(), keyText);
        const v = await (await s.backend()).put(ref.namespace, ref.key, value);
        if (s.json) s.printJson(v);
        else s.print(formatWrite('Stored', v, s.style));
      }));
  examples(cmd, [
    `kdelta set users/alice '{"name":"Alice","age":30}'`,
    `kdelta set config/greeting '"hello"'`,
    'kdelta set files/docs/readme.json --file readme.json',
    `echo '[1,2,3]' | kdelta set lists/primes -`,
  ]);
}
