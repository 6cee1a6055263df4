import { exportRecordProblem, importOp } from '../engine/index.js';
import type { ExportRecord } from '../engine/types.js';

/**
 * A check of one line of `kdelta export` as the database will do it on import (shape, names,
 * time, the value against its hash, the version id against its contents), so a file can be checked
 * whole before any of it is written. It returns what is wrong with the line's shape and throws the
 * database's own coded error (CORRUPTED for a tampered record) for the rest. Any value size passes
 * here, the size limit being the receiving database's; so does any date when the database is a
 * server's (`local` false): only its own clock says what is in the future.
 */
export function exportRecordCheck(local: boolean): (item: unknown) => string | undefined {
  return (item) => {
    const wrong = exportRecordProblem(item);
    if (wrong === undefined) importOp(item as ExportRecord, Number.POSITIVE_INFINITY, local ? Date.now() * 1000 : Number.POSITIVE_INFINITY);
    return wrong;
  };
}
