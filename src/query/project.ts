/**
 * Projection: `project: ['a', 'b.c']` keeps only those paths of a returned value, nested as in the
 * document (`{a, b: {c}}`). Missing paths are omitted, and so is a parent none of whose projected
 * children exist. Through an array, the selected elements are kept in index order (`items.2.x`
 * gives `items: [{x}]`): JSON has no sparse arrays. A path inside another (`a` and `a.b`) adds nothing.
 */
import type { JsonValue } from '../engine/types.js';
import { parsePath } from './path.js';

/** Returns the projected copy of a document (leaves are shared, not copied). */
export type Projector = (doc: JsonValue) => JsonValue;

interface Node {
  /** Take the whole value here (a projected path ends at this node). */
  whole: boolean;
  children: Map<string, Child>;
}

interface Child {
  index: number;
  node: Node;
}

export function compileProjection(paths: readonly string[], where = 'project'): Projector {
  const root: Node = { whole: false, children: new Map() };
  paths.forEach((field, i) => {
    const path = parsePath(field, `${where}[${i}]`);
    let node = root;
    for (let s = 0; s < path.keys.length && !node.whole; s++) {
      let child = node.children.get(path.keys[s]);
      if (child === undefined) {
        child = { index: path.indexes[s], node: { whole: false, children: new Map() } };
        node.children.set(path.keys[s], child);
      }
      node = child.node;
    }
    node.whole = true;
    node.children.clear();
  });
  return (doc) => pick(doc, root) ?? (Array.isArray(doc) ? [] : {});
}

function pick(value: JsonValue, node: Node): JsonValue | undefined {
  if (node.whole) return value;
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    const picked: Array<[number, JsonValue]> = [];
    for (const { index, node: child } of node.children.values()) {
      if (index < 0 || index >= value.length) continue;
      const v = pick(value[index], child);
      if (v !== undefined) picked.push([index, v]);
    }
    return picked.length === 0 ? undefined : picked.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
  }
  const out: { [key: string]: JsonValue } = {};
  let any = false;
  for (const [key, { node: child }] of node.children) {
    if (!Object.hasOwn(value, key)) continue;
    const v = pick(value[key], child);
    if (v === undefined) continue;
    // defineProperty, so a projected key named __proto__ stays an ordinary key.
    Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
    any = true;
  }
  return any ? out : undefined;
}
