/** One Server-Sent Events message. */
export interface SseMessage {
  id?: string;
  event: string;
  data: string;
}

/**
 * Parses an SSE byte stream (WHATWG HTML §9.2.6): `data` lines joined by newlines, `id`, `event`;
 * comment lines (heartbeats) and `retry` are skipped. Yields each message at its blank line.
 */
export async function* parseSse(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<SseMessage> {
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];
  let id: string | undefined;
  let event = 'message';
  let fields = false;
  for await (const chunk of chunks) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.search(/\r\n|\r|\n/)) >= 0) {
      // A CR at the very end may be the first half of a CRLF split across chunks.
      if (buffer[end] === '\r' && end === buffer.length - 1) break;
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + (buffer.startsWith('\r\n', end) ? 2 : 1));
      if (line === '') {
        // A block with only an id still moves the resume point (as in browsers); its data is ''.
        if (fields) yield { id, event, data: data.join('\n') };
        fields = false;
        data = [];
        event = 'message';
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'data' || field === 'id') fields = true;
      if (field === 'data') data.push(value);
      else if (field === 'id' && !value.includes('\u0000')) id = value;
      else if (field === 'event') event = value;
    }
  }
}
