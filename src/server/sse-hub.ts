import type { ServerResponse } from 'node:http';

/** One open change-feed response and how to end it. */
interface SseStream {
  res: ServerResponse;
  end(): void;
}

/**
 * The open SSE responses of a server. Fastify's graceful close waits for in-flight responses, and a
 * change feed never finishes by itself, so shutdown ends them here first (clients then resume from
 * their Last-Event-ID against the next server).
 */
export class SseHub {
  readonly #streams = new Set<SseStream>();

  add(stream: SseStream): () => void {
    this.#streams.add(stream);
    return () => this.#streams.delete(stream);
  }

  get size(): number {
    return this.#streams.size;
  }

  closeAll(): void {
    for (const s of [...this.#streams]) s.end();
  }
}
