import type { Socket } from 'node:net';

/** The longest a connection closed under an unread request body goes on reading it. */
export const LINGER_MS = 30_000;
/** A lingering connection that sends nothing for this long is closed at once. */
export const LINGER_IDLE_MS = 5_000;
/**
 * The most a lingering connection may still send: past it, it is closed (and its client may then
 * miss the answer). Bounds what a flood of oversized uploads costs the server.
 */
export const LINGER_MAX_BYTES = 64 * 1024 * 1024;

/**
 * Lingering closes: a response that closes its connection before the request body is in (a 413,
 * say) ends the server's side (FIN) and goes on reading, and dropping, what the client still sends,
 * until the client closes its side, sends nothing for LINGER_IDLE_MS, sends LINGER_MAX_BYTES more,
 * LINGER_MS pass, or the server shuts down. Most clients (fetch, node:http) send the whole body
 * before they read: closing at once with their data unread makes the kernel reset the connection,
 * and the answer they had not read yet is lost.
 */
export class Lingering {
  readonly #sockets = new Set<Socket>();

  /** Makes node:http's close of `socket` after the current response a lingering one. */
  closeLingering(socket: Socket | null | undefined): void {
    if (!socket || socket.destroyed) return;
    const sockets = this.#sockets;
    // node:http ends a `connection: close` exchange with destroySoon(): FIN, then close at once.
    (socket as Socket & { destroySoon(): void }).destroySoon = function lingeringClose(this: Socket): void {
      sockets.add(this);
      if (this.writable) this.end();
      // The rest is dropped as it comes, past node:http's parser (it would parse every byte of it).
      this.removeAllListeners('data');
      this.removeAllListeners('end');
      let dropped = 0;
      this.on('data', (chunk: Buffer) => {
        dropped += chunk.length;
        if (dropped > LINGER_MAX_BYTES) this.destroy();
      });
      this.on('end', () => this.destroy());
      this.on('error', () => this.destroy());
      this.setTimeout(LINGER_IDLE_MS, () => this.destroy());
      const cap = setTimeout(() => this.destroy(), LINGER_MS);
      cap.unref();
      this.once('close', () => {
        clearTimeout(cap);
        sockets.delete(this);
      });
      this.resume();
    };
  }

  /** Closes every lingering connection now (the server is shutting down: all were answered). */
  closeAll(): void {
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
  }
}
