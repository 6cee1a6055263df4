import type { StatusInfo } from '../client/backend.js';
import type { VersionedValue } from '../engine/types.js';
import type { Style } from './style.js';

/** Human output shapes. Scripts written for the Rust `kdelta` grep these, so keep them stable. */

export function pretty(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? 'null';
}

export function compact(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

export function indent(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return text.split('\n').map((line) => pad + line).join('\n');
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let n = bytes;
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return i === 0 ? `${bytes} bytes` : `${n.toFixed(1)} ${units[i]}`;
}

export function formatWrite(action: 'Stored' | 'Deleted', v: VersionedValue, style: Style): string[] {
  return [
    style.green('OK'),
    `  ${action}: ${v.namespace}/${v.key}`,
    `  Version: ${v.versionId}`,
    `  Timestamp: ${v.timestamp}`,
  ];
}

export function formatMetadata(v: VersionedValue, style: Style): string[] {
  return [
    style.bold('Metadata:'),
    `  Version: ${v.versionId}`,
    `  Content hash: ${v.contentHash}`,
    `  Timestamp: ${v.timestamp}`,
    `  Previous: ${v.previousVersion ?? 'none'}`,
  ];
}

/**
 * `log`: newest first, as given. Tombstones show ` (deleted)` and no value. `filters` names the
 * options that narrowed the list (`--limit 5`), so its count does not read as the key's total.
 */
export function formatHistory(versions: readonly VersionedValue[], style: Style, filters: readonly string[] = []): string[] {
  const lines = [style.bold('History:'), ''];
  for (const v of versions) {
    lines.push(`  * ${style.cyan(v.timestamp)}${v.deleted ? style.red(' (deleted)') : ''}`);
    if (!v.deleted) lines.push(indent(pretty(v.value), 4));
    lines.push(style.dim(`    Version: ${v.versionId}`), '');
  }
  lines.push(filters.length === 0 ? `  ${plural(versions.length, 'version')} total` : `  ${plural(versions.length, 'version')} shown (${filters.join(', ')})`);
  return lines;
}

export function formatNamespaces(namespaces: StatusInfo['namespaces'], style: Style): string[] {
  if (namespaces.length === 0) return ['No namespaces found'];
  return [style.bold('Namespaces:'), ...namespaces.map((n) => `  * ${n.namespace} (${plural(n.keyCount, 'key')})`)];
}

export function formatKeys(namespace: string, keys: readonly string[], style: Style): string[] {
  if (keys.length === 0) return [`No keys in namespace '${namespace}'`];
  return [style.bold(`Keys in '${namespace}':`), ...keys.map((k) => `  * ${namespace}/${k}`)];
}

export function formatUptime(seconds: number): string {
  const s = Math.floor(seconds);
  const parts = [[Math.floor(s / 86400), 'd'], [Math.floor(s / 3600) % 24, 'h'], [Math.floor(s / 60) % 60, 'm'], [s % 60, 's']] as const;
  const shown = parts.filter(([n], i) => n > 0 || i === parts.length - 1);
  return shown.map(([n, u]) => `${n}${u}`).join(' ');
}

export function formatStatus(s: StatusInfo, style: Style, url?: string): string[] {
  const lines = [
    style.bold('Database Status'),
    `  Keys: ${s.keyCount}`,
    `  Versions: ${s.totalVersions}`,
    `  Namespaces: ${s.namespaceCount}`,
    ...s.namespaces.map((n) => `    * ${n.namespace} (${plural(n.keyCount, 'key')})`),
    `  Last sequence: ${s.lastSeq}`,
    `  Path: ${s.path ?? '(in memory)'}`,
    `  Disk size: ${formatBytes(s.diskSize)}`,
    `  Node ID: ${s.nodeId}`,
  ];
  if (url !== undefined) lines.push(`  Server: ${url}`);
  if (s.uptime !== undefined) lines.push(`  Uptime: ${formatUptime(s.uptime)}`);
  return lines;
}
