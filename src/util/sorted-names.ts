/**
 * A set of strings kept in sorted order, so that listing it never sorts
 * (the kernel keeps `proc_cells` sorted at activation for the same reason).
 * Membership is a binary search; insertion and removal move the tail of one
 * array, which for the cell counts of an AFS client is cheaper than a tree.
 */
export class SortedNames {
  readonly #names: string[] = [];

  get size(): number {
    return this.#names.length;
  }

  /** The names in sorted order.  The array is shared: callers must not change it. */
  list(): readonly string[] {
    return this.#names;
  }

  has(name: string): boolean {
    const i = this.#lowerBound(name);
    return this.#names[i] === name;
  }

  /** Adds `name`; returns false if it was already present. */
  add(name: string): boolean {
    const i = this.#lowerBound(name);
    if (this.#names[i] === name) return false;
    this.#names.splice(i, 0, name);
    return true;
  }

  /** Removes `name`; returns false if it was absent. */
  delete(name: string): boolean {
    const i = this.#lowerBound(name);
    if (this.#names[i] !== name) return false;
    this.#names.splice(i, 1);
    return true;
  }

  #lowerBound(name: string): number {
    let lo = 0;
    let hi = this.#names.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#names[mid]! < name) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
