import type { KoruBackend } from '../client/backend.js';

/** The HTTP client for `--url`, loaded only then (local commands never load it). */
export async function openRemote(url: string): Promise<KoruBackend> {
  const { KoruDeltaClient } = await import('../client/index.js');
  return new KoruDeltaClient(url);
}
