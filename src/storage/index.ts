export * from './store.js';
export { MemoryStore } from './memory-store.js';
export { LmdbStore, type LmdbStoreOptions } from './lmdb-store.js';
