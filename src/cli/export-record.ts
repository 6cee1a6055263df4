import { exportRecordProblem, importOp } from '../engine/index.js';
import type { ExportRecord } from '../engine/types.js';

/**
 * Checks one line of `kdelta export` as the database will on import (shape, names, time, the
 * value against its hash, the version id against its contents), so a file can be checked whole
 * before any of it is written. Returns what is wrong with its shape; throws the database's own
 * coded error (CORRUPTED for a tampered record) for the rest. Any value size passes here: the
 * size limit is the receiving database's.
 */
export function checkExportRecord(item: unknown): string | undefined {
  const wrong = exportRecordProblem(item);
  if (wrong === undefined) importOp(item as ExportRecord, Number.POSITIVE_INFINITY);
  return wrong;
}
