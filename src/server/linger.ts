import type { Socket } from 'node:net';

/** The longest a connection closed under an unread request body goes on reading it. */
export const LINGER_MS = 30_000;

/**
 * Makes node:http's close of `socket` after the current response a lingering close: the answer goes
 * out and the server's side is shut (FIN), but the socket goes on reading, and dropping, what the
 * client still sends, until the client closes its side or LINGER_MS pass. Most clients (fetch,
 * node:http) send the whole body before they read: closing at once with their data unread makes
 * the kernel reset the connection, and the answer they had not read yet (a 413, say) is lost.
 * For a response that closes its connection before the request body is in.
 */
export function lingerOnClose(socket: Socket | null | undefined): void {
  if (!socket || socket.destroyed) return;
  // node:http ends a `connection: close` exchange with destroySoon(): FIN, then close at once.
  (socket as Socket & { destroySoon(): void }).destroySoon = function lingeringClose(this: Socket): void {
    if (this.writable) this.end();
    const timer = setTimeout(() => this.destroy(), LINGER_MS);
    timer.unref();
    this.once('close', () => clearTimeout(timer));
    // The request is dumped (node:http reads and drops its body): keep the socket flowing.
    this.resume();
  };
}
