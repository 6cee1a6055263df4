import { Engine } from './engine/engine.js';
import type { StartOptions } from './engine/types.js';

/**
 * A KoruDelta database (DESIGN §4): versioned JSON documents under `namespace/key`, time travel,
 * history, queries, materialized views and change subscriptions.
 *
 * ```ts
 * const db = await KoruDelta.start();                    // in memory
 * const db = await KoruDelta.start({ path: './data' });  // on disk (LMDB)
 * ```
 * Every method reports failure by rejecting its promise with a `KoruDeltaError`.
 */
export class KoruDelta extends Engine {
  static async start(options: StartOptions = {}): Promise<KoruDelta> {
    return Engine.openWith((store, nodeId, opts) => new KoruDelta(store, nodeId, opts), options);
  }
}
