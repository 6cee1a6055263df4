import type { ChangeEvent } from '../events/types.js';
import { ConnectionError } from './errors.js';
import { parseSse } from './sse.js';

export interface FeedOptions {
  /** Reconnections attempted in a row before giving up. */
  retries: number;
  signal?: AbortSignal;
  /** Registers the feed's controller with its client (so `close()` ends it); returns the unregister. */
  track(controller: AbortController): () => void;
  /** Opens the SSE response, resuming after `lastEventId` when given. */
  open(lastEventId: string | undefined, signal: AbortSignal): Promise<Response>;
}

/**
 * What a reconnection waits out: the server unreachable, restarting (503: shutting down, database
 * closed) or behind a gateway while it restarts (502, 504). Any other refusal would only repeat.
 */
function transient(err: unknown): boolean {
  if (err instanceof ConnectionError) return true;
  const status = (err as { status?: unknown } | null)?.status;
  return status === 502 || status === 503 || status === 504;
}

function backoffMs(attempt: number): number {
  return Math.min(5000, 250 * 2 ** (attempt - 1));
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

/**
 * Change events from an SSE feed that survives dropped connections: each reconnection sends the id
 * of the last message seen (the server's change sequence number), so the feed resumes exactly
 * where it stopped. The first connection's failure is reported at once (the server is not there).
 * Its iterator's `return()` (a `break`) ends the feed at once, even while a `next()` waits for an
 * event, as the library's does.
 */
export function watchFeed(options: FeedOptions): AsyncIterable<ChangeEvent> {
  return {
    [Symbol.asyncIterator]() {
      const controller = new AbortController();
      const events = feed(options, controller);
      return {
        next: () => events.next(),
        return: async (value?: unknown) => {
          controller.abort();
          return events.return(value as undefined);
        },
        throw: (err?: unknown) => events.throw(err),
        [Symbol.asyncIterator]() {
          return this;
        },
      } as AsyncIterableIterator<ChangeEvent>;
    },
  };
}

async function* feed(options: FeedOptions, controller: AbortController): AsyncGenerator<ChangeEvent> {
  const untrack = options.track(controller);
  const stop = () => controller.abort();
  options.signal?.addEventListener('abort', stop);
  if (options.signal?.aborted) stop();
  let lastEventId: string | undefined;
  let connected = false;
  let failures = 0;
  try {
    while (!controller.signal.aborted) {
      let res: Response;
      try {
        res = await options.open(lastEventId, controller.signal);
      } catch (err) {
        if (controller.signal.aborted) return;
        if (!connected || !transient(err) || ++failures > options.retries) throw err;
        await sleep(backoffMs(failures), controller.signal);
        continue;
      }
      connected = true;
      failures = 0;
      try {
        if (!res.body) throw new Error('empty change feed response');
        for await (const message of parseSse(res.body as unknown as AsyncIterable<Uint8Array>)) {
          if (message.id !== undefined) lastEventId = message.id;
          if (message.data !== '') yield JSON.parse(message.data) as ChangeEvent;
        }
      } catch {
        // The connection dropped mid-stream: reconnect below.
      }
      if (controller.signal.aborted) return;
      await sleep(backoffMs(1), controller.signal);
    }
  } finally {
    controller.abort();
    untrack();
    options.signal?.removeEventListener('abort', stop);
  }
}
