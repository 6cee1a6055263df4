// What a KoruDelta server answers, told apart from what something else in the way (a proxy, another
// server) might answer with a success status.
import { HttpError } from './errors.js';

/** Whether `body` is a JSON object (a KoruDelta answer is one; a proxy's page or an empty body is not). */
export function isObject(body: unknown): body is Record<string, unknown> {
  return body !== null && typeof body === 'object' && !Array.isArray(body);
}

/** A record carrying a version (what put, get, getAt and delete answer). */
export const isVersion = (body: unknown): boolean => isObject(body) && typeof body.versionId === 'string';
/** An object whose `member` is an array (`{ keys }`, `{ versions }`, `{ records }`...). */
export const hasArray = (member: string) => (body: unknown): boolean => isObject(body) && Array.isArray(body[member]);

/** A ViewInfo answer. */
export function isView(body: unknown): boolean {
  return isObject(body) && typeof body.name === 'string';
}

/** What a success status with a body KoruDelta would not send stands for (a proxy or another server answered). */
export function notKoruDelta(res: Response, text: string): HttpError {
  const type = res.headers.get('content-type') ?? 'none';
  const shown = text.trim().slice(0, 200);
  return new HttpError(`HTTP_${res.status}`, `HTTP ${res.status}: not a KoruDelta response (content-type ${type})${shown ? `: ${shown}` : ''}`, res.status);
}
