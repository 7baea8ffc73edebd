/**
 * A binary min-heap of items keyed by a due time, with O(log n) insert,
 * update and removal of any item.  The cell manager keeps one entry per cell
 * (its next GC or DNS-expiry time) here, so that a timer tick costs
 * O(log n) per due cell instead of a walk over every cell.
 */
interface Entry<T> {
  readonly item: T;
  due: number;
  /** Position in the array, kept current by every move. */
  index: number;
}

export class DueHeap<T> {
  readonly #entries: Entry<T>[] = [];
  readonly #byItem = new Map<T, Entry<T>>();

  get size(): number {
    return this.#entries.length;
  }

  /** The due time of `item`, or undefined if it is not in the heap. */
  dueOf(item: T): number | undefined {
    return this.#byItem.get(item)?.due;
  }

  /** The earliest entry, without removing it. */
  peek(): { item: T; due: number } | undefined {
    return this.#entries[0];
  }

  /** Inserts `item` at `due`, or moves it there if already present. */
  set(item: T, due: number): void {
    const entry = this.#byItem.get(item);
    if (entry === undefined) {
      const added: Entry<T> = { item, due, index: this.#entries.length };
      this.#entries.push(added);
      this.#byItem.set(item, added);
      this.#siftUp(added);
      return;
    }
    const old = entry.due;
    entry.due = due;
    if (due < old) this.#siftUp(entry);
    else if (due > old) this.#siftDown(entry);
  }

  /** Removes `item` if present. */
  delete(item: T): void {
    const entry = this.#byItem.get(item);
    if (entry === undefined) return;
    this.#byItem.delete(item);
    const last = this.#entries.pop()!;
    if (last === entry) return;
    this.#place(last, entry.index);
    this.#siftDown(last);
    this.#siftUp(last);
  }

  /** Removes and returns the earliest item if it is due at or before `now`. */
  popDue(now: number): T | undefined {
    const top = this.#entries[0];
    if (top === undefined || top.due > now) return undefined;
    this.delete(top.item);
    return top.item;
  }

  #place(entry: Entry<T>, index: number): void {
    this.#entries[index] = entry;
    entry.index = index;
  }

  #siftUp(entry: Entry<T>): void {
    let i = entry.index;
    while (i > 0) {
      const parentIndex = (i - 1) >> 1;
      const parent = this.#entries[parentIndex]!;
      if (parent.due <= entry.due) break;
      this.#place(parent, i);
      i = parentIndex;
    }
    this.#place(entry, i);
  }

  #siftDown(entry: Entry<T>): void {
    const n = this.#entries.length;
    let i = entry.index;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.#entries[r]!.due < this.#entries[l]!.due ? r : l;
      const child = this.#entries[c]!;
      if (child.due >= entry.due) break;
      this.#place(child, i);
      i = c;
    }
    this.#place(entry, i);
  }
}
