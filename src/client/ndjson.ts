/**
 * NDJSON, the wire format of export and import (one JSON record per line). Shared by both ends of
 * the wire: the client reads exports and writes imports, the server the reverse.
 */

export class NdjsonLineTooLongError extends Error {
  constructor(readonly maxLineBytes: number) {
    super(`an NDJSON line exceeds ${maxLineBytes} bytes`);
  }
}

/** UTF-8 size of `text` is over `max` (measured only when its length says it may be). */
function overBytes(text: string, max: number): boolean {
  return text.length > max || (text.length * 3 > max && Buffer.byteLength(text, 'utf8') > max);
}

/**
 * The lines of a byte stream, without their line ends; blank lines are skipped. A line over
 * `maxLineBytes` (UTF-8) throws, whether it arrived whole in one chunk or spread over many.
 */
export async function* ndjsonLines(
  chunks: AsyncIterable<Uint8Array | string>,
  maxLineBytes = Number.POSITIVE_INFINITY,
): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let pending = '';
  for await (const chunk of chunks) {
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let start = 0;
    let nl: number;
    while ((nl = pending.indexOf('\n', start)) >= 0) {
      const line = pending.slice(start, nl).trim();
      start = nl + 1;
      if (overBytes(line, maxLineBytes)) throw new NdjsonLineTooLongError(maxLineBytes);
      if (line) yield line;
    }
    pending = pending.slice(start);
    if (overBytes(pending, maxLineBytes)) throw new NdjsonLineTooLongError(maxLineBytes);
  }
  pending = (pending + decoder.decode()).trim();
  if (overBytes(pending, maxLineBytes)) throw new NdjsonLineTooLongError(maxLineBytes);
  if (pending) yield pending;
}

/** Encodes records as NDJSON text chunks of about `chunkBytes` each. */
export async function* toNdjson<T>(records: AsyncIterable<T> | Iterable<T>, chunkBytes = 64 * 1024): AsyncGenerator<string> {
  let buffer = '';
  for await (const record of records) {
    buffer += JSON.stringify(record) + '\n';
    if (buffer.length >= chunkBytes) {
      yield buffer;
      buffer = '';
    }
  }
  if (buffer) yield buffer;
}
