import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A check of an existing LMDB data file before it is opened. LMDB trusts its file: a truncated
 * `data.mdb`, or a file that is not LMDB at all, makes the native open or the first read fault
 * (the process dies with SIGSEGV, no error to catch). The two meta pages at the start of the file
 * say where the database ends, so reading them first turns those cases into an error.
 *
 * Layout (LMDB's `MDB_page` header, then `MDB_meta`): the magic number, a format version, the map
 * address and size, the two root `MDB_db` records of 48 bytes (the first one's leading 32 bits hold
 * the page size), the last page used and the transaction id. The lmdb package's build adds a
 * transaction id to the page header, so the meta fields start 24 bytes in; classic LMDB starts them
 * at 16. Either is accepted.
 */
const MAGIC = 0xbeefc0de;
const META_OFFSETS = [24, 16];
const PAGE_SIZE_AT = 24;
const LAST_PAGE_AT = 120;
const TXN_ID_AT = 128;
/** Bytes read per meta page: enough for the fields above at either offset. */
const META_BYTES = 24 + TXN_ID_AT + 8;

/** Why an existing data file cannot be an intact LMDB database, or undefined when it can be. */
export function dataFileProblem(dir: string): string | undefined {
  const file = join(dir, 'data.mdb');
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined; // none yet (LMDB creates it), or unreadable: LMDB reports that itself
  }
  try {
    // A commit by another process may be writing a meta page right now: a torn read would look
    // like damage, so a failed check is read once more before it counts.
    return inspect(fd) === undefined ? undefined : inspect(fd);
  } finally {
    closeSync(fd);
  }
}

function inspect(fd: number): string | undefined {
  const first = readAt(fd, 0, META_BYTES);
  if (first.length === 0) return undefined; // an empty file is initialized by LMDB
  const at = META_OFFSETS.find((o) => first.length >= o + 4 && first.readUInt32LE(o) === MAGIC);
  if (at === undefined) return 'data.mdb is not an LMDB data file';
  const pageSize = first.readUInt32LE(at + PAGE_SIZE_AT);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) {
    return `data.mdb names an impossible page size (${pageSize})`;
  }
  // LMDB opens the meta page with the higher transaction id; both must be readable to choose.
  const metas = [first, readAt(fd, pageSize, META_BYTES)]
    .filter((m) => m.length >= at + TXN_ID_AT + 8 && m.readUInt32LE(at) === MAGIC)
    .map((m) => ({ lastPage: m.readBigUInt64LE(at + LAST_PAGE_AT), txnId: m.readBigUInt64LE(at + TXN_ID_AT) }));
  if (metas.length < 2) return 'data.mdb is missing its second meta page (the file is truncated or damaged)';
  const meta = metas[0].txnId >= metas[1].txnId ? metas[0] : metas[1];
  // Sizes are read after the meta pages: a file only grows, so a meta read first never names a
  // page beyond the size read after it.
  const needed = (meta.lastPage + 1n) * BigInt(pageSize);
  const size = BigInt(fstatSync(fd).size);
  if (size < needed) return `data.mdb is truncated: ${size} bytes, its last committed transaction needs ${needed}`;
  return undefined;
}

function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  const n = readSync(fd, buf, 0, length, position);
  return buf.subarray(0, n);
}
