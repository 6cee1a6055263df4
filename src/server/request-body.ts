import type { IncomingMessage } from 'node:http';

/**
 * Reads and drops what is left of a request body that a route stopped reading (it failed midway,
 * or refused the body unread), at most `maxBytes` of it; true when the body was read to its end.
 * For a route that answers an error before the body is in: a client still sending (an import
 * streams its body) reads the answer only once its body is sent, and a server that answers and
 * closes earlier resets the connection under it, so the client sees "cannot reach" instead of the
 * error. A body that is larger still (or declared so) is left: the caller answers and closes.
 */
export async function discardRest(req: IncomingMessage, maxBytes: number): Promise<boolean> {
  if (req.readableEnded) return true;
  if (Number(req.headers['content-length']) > maxBytes) return false;
  let seen = 0;
  try {
    // Not destroyed on an early stop: destroying an unfinished request destroys its socket.
    for await (const chunk of req.iterator({ destroyOnReturn: false })) {
      seen += (chunk as Buffer).length;
      if (seen > maxBytes) return false;
    }
  } catch {
    return false;
  }
  return true;
}
