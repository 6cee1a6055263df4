import type { KoruDelta } from '../koru-delta.js';

/**
 * The part of `KoruDelta` the server uses. Naming it keeps the routes honest about what they touch
 * (`store` and `lastSeq` are read by the GET fast path to check a cached response is still
 * current) and lets tests serve any object of this shape.
 */
export type ServedDatabase = Pick<KoruDelta,
  | 'nodeId' | 'path' | 'store' | 'put' | 'get' | 'getAt' | 'history' | 'delete' | 'putBatch'
  | 'listKeys' | 'listNamespaces' | 'stats' | 'lastSeq' | 'diskSize' | 'onCommit' | 'query' | 'createView'
  | 'listViews' | 'refreshView' | 'queryView' | 'deleteView' | 'subscribe' | 'exportVersions'
  | 'importVersions' | 'verify' | 'close'>;
