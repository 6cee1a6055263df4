/**
 * Keeps the k smallest items of a stream in a bounded max-heap: O(k) memory and O(log k) per item, so
 * `sort + limit` over a large namespace never holds more than `offset + limit` records.
 */
export class TopK<T> {
  readonly #k: number;
  readonly #cmp: (a: T, b: T) => number;
  // Max-heap: the worst kept item sits at index 0, ready to be evicted by a better one.
  readonly #heap: T[] = [];

  /** `cmp` must be a strict total order (break ties, e.g. by arrival) for the result to be stable. */
  constructor(k: number, cmp: (a: T, b: T) => number) {
    this.#k = k;
    this.#cmp = cmp;
  }

  get size(): number {
    return this.#heap.length;
  }

  /** Considers `item`; returns true when it is (for now) among the k best. */
  offer(item: T): boolean {
    const heap = this.#heap;
    if (heap.length < this.#k) {
      heap.push(item);
      this.#siftUp(heap.length - 1);
      return true;
    }
    if (this.#k === 0 || this.#cmp(item, heap[0]) >= 0) return false;
    heap[0] = item;
    this.#siftDown(0);
    return true;
  }

  /** The kept items, best first. */
  sorted(): T[] {
    return [...this.#heap].sort(this.#cmp);
  }

  #siftUp(i: number): void {
    const heap = this.#heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.#cmp(heap[i], heap[parent]) <= 0) return;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  }

  #siftDown(i: number): void {
    const heap = this.#heap;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let worst = i;
      if (left < heap.length && this.#cmp(heap[left], heap[worst]) > 0) worst = left;
      if (right < heap.length && this.#cmp(heap[right], heap[worst]) > 0) worst = right;
      if (worst === i) return;
      [heap[i], heap[worst]] = [heap[worst], heap[i]];
      i = worst;
    }
  }
}
