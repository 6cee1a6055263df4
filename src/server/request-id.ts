/** Visible ASCII and spaces: what a header value can carry back unchanged, and a log line too. */
const PRINTABLE = /^[\x20-\x7e]+$/;

/**
 * The request id a client sent in `x-request-id`, if it is one to take: printable ASCII (as the raw
 * connection path requires too). Node reads header bytes as latin1, so a UTF-8 id would be echoed
 * and logged as mojibake ("é" as "Ã©"); such an id, or an empty one, gets a fresh id instead.
 */
export function clientRequestId(header: string | string[] | undefined): string | undefined {
  return typeof header === 'string' && PRINTABLE.test(header) ? header : undefined;
}

/**
 * Fastify's default request ids (`req-1`, `req-2`, … base 36), shared by every request path; a
 * worker of a multi-process server puts its id first (`req-2.1`) so ids stay unique across workers.
 */
export function requestIds(workerId: number | undefined): () => string {
  const prefix = workerId === undefined ? 'req-' : `req-${workerId}.`;
  let next = 0;
  return () => {
    next = (next + 1) & 0x7fffffff;
    return `${prefix}${next.toString(36)}`;
  };
}
