/**
 * client/ (`korudelta/client`): a typed HTTP client of the KoruDelta server with the library's
 * methods and errors. Used by `kdelta --url`; depends on the library's types and validation only,
 * never on the server.
 */
export { KoruDeltaClient, type ClientOptions } from './koru-delta-client.js';
export { serverUrl } from './server-url.js';
export { ConnectionError, HttpError, errorFromResponse } from './errors.js';
export type { KoruBackend, StatusInfo } from './backend.js';
export * from '../errors.js';
export { parseSse, type SseMessage } from './sse.js';
