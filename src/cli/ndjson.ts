import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { isKoruDeltaError } from '../errors.js';
import { CliError } from './errors.js';

/** Waits for `out` to take more; a stream that already failed (disk full) fails here instead of hanging. */
async function drained(out: Writable): Promise<void> {
  if (out.errored) throw out.errored;
  await once(out, 'drain');
}

/** Writes one JSON line per item, in ~64 KiB chunks, honouring back-pressure. Returns the count. */
export async function writeNdjson(items: AsyncIterable<unknown>, out: Writable, onProgress?: (n: number) => void): Promise<number> {
  let chunk = '';
  let count = 0;
  for await (const item of items) {
    chunk += `${JSON.stringify(item)}\n`;
    count++;
    if (chunk.length >= 65_536) {
      if (!out.write(chunk)) await drained(out);
      chunk = '';
      onProgress?.(count);
    }
  }
  if (chunk !== '' && !out.write(chunk)) await drained(out);
  onProgress?.(count);
  return count;
}

/**
 * Parses NDJSON lines (blank lines skipped). A line that is not JSON, or that `check` finds wrong
 * (or throws a coded error for), fails with its line number. `onBytes` reports progress through the input.
 */
export async function* readNdjson<T>(
  input: Readable,
  source: string,
  check: (item: unknown) => string | undefined,
  onBytes?: (bytes: number) => void,
): AsyncGenerator<T> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNo = 0;
  let bytes = 0;
  for await (const raw of lines) {
    lineNo++;
    bytes += Buffer.byteLength(raw) + 1;
    // Trimmed as the server trims an import's lines: white space and byte-order marks (which some
    // editors put at the start of a UTF-8 file) are not part of the data.
    const line = raw.trim();
    if (line.trim() === '') continue;
    let item: unknown;
    try {
      item = JSON.parse(line);
    } catch (err) {
      throw new CliError(`${source}, line ${lineNo}: not valid JSON (${(err as Error).message})`, 'INVALID_VALUE');
    }
    let wrong: string | undefined;
    let code = 'INVALID_VALUE';
    try {
      wrong = check(item);
    } catch (err) {
      // A check may throw the library's own coded error (a tampered record is CORRUPTED): keep its code.
      if (!isKoruDeltaError(err)) throw err;
      wrong = err.message;
      code = err.code;
    }
    if (wrong !== undefined) throw new CliError(`${source}, line ${lineNo}: ${wrong}`, code);
    if (lineNo % 1024 === 0) onBytes?.(bytes);
    yield item as T;
  }
  onBytes?.(bytes);
}
