/**
 * A binary min-heap of items keyed by a due time, with O(log n) insert,
 * update and removal of any item.  The cell manager keeps one entry per cell
 * (its next GC or DNS-expiry time) here, so that a timer tick costs
 * O(log n) per due cell instead of a walk over every cell.
 */
export class DueHeap<T> {
  readonly #entries: { item: T; due: number }[] = [];
  readonly #index = new Map<T, number>();

  get size(): number {
    return this.#entries.length;
  }

  /** The due time of `item`, or undefined if it is not in the heap. */
  dueOf(item: T): number | undefined {
    const i = this.#index.get(item);
    return i === undefined ? undefined : this.#entries[i]!.due;
  }

  /** The earliest entry, without removing it. */
  peek(): { item: T; due: number } | undefined {
    return this.#entries[0];
  }

  /** Inserts `item` at `due`, or moves it there if already present. */
  set(item: T, due: number): void {
    const i = this.#index.get(item);
    if (i === undefined) {
      this.#entries.push({ item, due });
      this.#index.set(item, this.#entries.length - 1);
      this.#siftUp(this.#entries.length - 1);
      return;
    }
    const entry = this.#entries[i]!;
    const old = entry.due;
    entry.due = due;
    if (due < old) this.#siftUp(i);
    else this.#siftDown(i);
  }

  /** Removes `item` if present. */
  delete(item: T): void {
    const i = this.#index.get(item);
    if (i === undefined) return;
    this.#index.delete(item);
    const last = this.#entries.pop()!;
    if (i === this.#entries.length) return;
    this.#entries[i] = last;
    this.#index.set(last.item, i);
    this.#siftDown(i);
    this.#siftUp(i);
  }

  /** Removes and returns the earliest item if it is due at or before `now`. */
  popDue(now: number): T | undefined {
    const top = this.#entries[0];
    if (top === undefined || top.due > now) return undefined;
    this.delete(top.item);
    return top.item;
  }

  #swap(a: number, b: number): void {
    const ea = this.#entries[a]!;
    const eb = this.#entries[b]!;
    this.#entries[a] = eb;
    this.#entries[b] = ea;
    this.#index.set(eb.item, a);
    this.#index.set(ea.item, b);
  }

  #siftUp(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.#entries[parent]!.due <= this.#entries[i]!.due) return;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #siftDown(i: number): void {
    const n = this.#entries.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < n && this.#entries[l]!.due < this.#entries[min]!.due) min = l;
      if (r < n && this.#entries[r]!.due < this.#entries[min]!.due) min = r;
      if (min === i) return;
      this.#swap(i, min);
      i = min;
    }
  }
}
