import { structuredPatch } from 'diff';
import type { Style } from './style.js';

export interface DiffSide {
  label: string;
  /** The text compared (pretty JSON; empty for a missing or deleted side). */
  text: string;
}

/** A unified line diff (3 lines of context): `-` lines red, `+` green, context dim. */
export function lineDiff(from: DiffSide, to: DiffSide, style: Style): string[] {
  const patch = structuredPatch(from.label, to.label, withNewline(from.text), withNewline(to.text), undefined, undefined, { context: 3 });
  const lines = [style.bold(`--- ${from.label}`), style.bold(`+++ ${to.label}`)];
  for (const h of patch.hunks) {
    lines.push(style.cyan(`@@ -${range(h.oldStart, h.oldLines)} +${range(h.newStart, h.newLines)} @@`));
    for (const line of h.lines) {
      if (line.startsWith('-')) lines.push(style.red(line));
      else if (line.startsWith('+')) lines.push(style.green(line));
      else if (!line.startsWith('\\')) lines.push(style.dim(line));
    }
  }
  return lines;
}

/** Hunk ranges as GNU diff writes them: `3` for one line, `2,0` (the line before) for none. */
function range(start: number, count: number): string {
  if (count === 1) return String(start);
  return `${count === 0 ? start - 1 : start},${count}`;
}

function withNewline(text: string): string {
  return text === '' || text.endsWith('\n') ? text : `${text}\n`;
}
