/**
 * NDJSON, the wire format of export and import (one JSON record per line). Shared by both ends of
 * the wire: the client reads exports and writes imports, the server the reverse.
 */

export class NdjsonLineTooLongError extends Error {
  constructor(readonly maxLineBytes: number) {
    super(`an NDJSON line exceeds ${maxLineBytes} bytes`);
  }
}

/** The lines of a byte stream, without their line ends; blank lines are skipped. */
export async function* ndjsonLines(
  chunks: AsyncIterable<Uint8Array | string>,
  maxLineBytes = Number.POSITIVE_INFINITY,
): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let pending = '';
  for await (const chunk of chunks) {
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      if (line) yield line;
    }
    if (pending.length > maxLineBytes) throw new NdjsonLineTooLongError(maxLineBytes);
  }
  pending = (pending + decoder.decode()).trim();
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
