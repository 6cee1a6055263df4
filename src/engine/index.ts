export { Engine, type CommitListener } from './engine.js';
export { toVersioned } from './history.js';
export type { CommittedWrite, TransactionHook, WriteOp } from './write-path.js';
export type { StoredVersion } from './record.js';
export type { ChangeEntry, Reader } from './reader.js';
export { toMicros, formatMicros } from './time.js';
export { checkKey, checkNamespace, RESERVED_NAMESPACES } from './names.js';
export { encodeValue, sha256Hex, cloneJson } from './value.js';
export * from './types.js';
