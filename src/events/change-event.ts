import type { CommittedWrite, Engine, StoredVersion } from '../engine/index.js';
import { cloneJson, formatMicros } from '../engine/index.js';
import type { ChangeEntry } from '../engine/reader.js';
import type { JsonValue } from '../engine/types.js';
import type { ChangeEvent, ChangeType } from './types.js';

/**
 * A committed change before it becomes a `ChangeEvent`: values are resolved lazily (the previous
 * value costs a read) and only once, however many subscribers match.
 */
export class PendingChange {
  readonly seq: number;
  readonly namespace: string;
  readonly key: string;
  readonly version: StoredVersion;
  readonly changeType: ChangeType;
  #engine: Engine;
  #value: JsonValue | undefined;
  #previous: StoredVersion | null;
  #previousValue: JsonValue | undefined;

  constructor(engine: Engine, namespace: string, key: string, version: StoredVersion, previous: StoredVersion | null, value?: JsonValue) {
    this.#engine = engine;
    this.seq = version.seq;
    this.namespace = namespace;
    this.key = key;
    this.version = version;
    this.#previous = previous;
    this.#value = value;
    const wasLive = previous !== null && !previous.deleted;
    this.changeType = version.deleted ? 'delete' : wasLive ? 'update' : 'insert';
  }

  static fromCommit(engine: Engine, w: CommittedWrite): PendingChange {
    // An imported version older than the key's head follows the version before it in time, not
    // the head: the same event a replay of the log gives for it.
    const previous = w.isHead ? w.previous : engine.reader.versionBefore(w.namespace, w.key, w.version.micros) ?? null;
    return new PendingChange(engine, w.namespace, w.key, w.version, previous, w.value);
  }

  static fromLog(engine: Engine, c: ChangeEntry): PendingChange {
    const previous = engine.reader.versionBefore(c.namespace, c.key, c.version.micros) ?? null;
    return new PendingChange(engine, c.namespace, c.key, c.version, previous);
  }

  /** The new value (null for a delete). Shared: copy before handing out. */
  get value(): JsonValue {
    if (this.version.deleted) return null;
    this.#value ??= this.#engine.reader.value(this.namespace, this.key, this.version);
    return this.#value;
  }

  get previousValue(): JsonValue {
    const p = this.#previous;
    if (!p || p.deleted) return null;
    this.#previousValue ??= this.#engine.reader.value(this.namespace, this.key, p);
    return this.#previousValue;
  }

  /** The document a subscription's filter looks at: the new value, or the old one for a delete. */
  get document(): JsonValue {
    return this.version.deleted ? this.previousValue : this.value;
  }

  /** A fresh event object with its own copies of the values. */
  toEvent(): ChangeEvent {
    return {
      seq: this.seq,
      changeType: this.changeType,
      namespace: this.namespace,
      key: this.key,
      value: cloneJson(this.value),
      previousValue: cloneJson(this.previousValue),
      versionId: this.version.versionId,
      previousVersionId: this.#previous?.versionId ?? null,
      timestamp: formatMicros(this.version.micros),
    };
  }
}
