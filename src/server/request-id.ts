/**
 * Visible ASCII and spaces, up to 128 characters: what a header value can carry back unchanged,
 * and a log line too (a longer one would let any client write kilobytes into every log line).
 */
const CLIENT_ID = /^[\x20-\x7e]{1,128}$/;

/** Whether an `x-request-id` value is taken as the request's id (see `clientRequestId`). */
export function isClientRequestId(value: string): boolean {
  return CLIENT_ID.test(value);
}

/**
 * The request id a client sent in `x-request-id`, if it is one to take: printable ASCII of at most
 * 128 characters (as the raw connection path requires too). Node reads header bytes as latin1, so
 * a UTF-8 id would be echoed and logged as mojibake ("é" as "Ã©"); such an id, an empty or a
 * too long one gets a fresh id instead.
 */
export function clientRequestId(header: string | string[] | undefined): string | undefined {
  return typeof header === 'string' && CLIENT_ID.test(header) ? header : undefined;
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
