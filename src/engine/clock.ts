/**
 * Hybrid logical clock in integer microseconds: close to wall time, never going backwards, and
 * unique per node. Uniqueness across the processes sharing a database comes from the engine, which
 * feeds the last timestamp stored in the database (read inside the write transaction) to `next`.
 */
export class HybridClock {
  #last = 0;
  readonly #wallMicros: () => number;

  constructor(wallMicros: () => number = () => Math.floor((performance.timeOrigin + performance.now()) * 1000)) {
    this.#wallMicros = wallMicros;
  }

  /** A timestamp greater than every one issued or observed so far, and than `after` and `alsoAfter`. */
  next(after = 0, alsoAfter = 0): number {
    let t = Math.max(this.#wallMicros(), this.#last + 1);
    if (after >= t) t = after + 1;
    if (alsoAfter >= t) t = alsoAfter + 1;
    this.#last = t;
    return t;
  }

  /** Folds in a timestamp seen elsewhere (another process's or node's write). */
  observe(micros: number): void {
    if (micros > this.#last) this.#last = micros;
  }

  get last(): number {
    return this.#last;
  }
}
