import { SortedNames } from '../util/sorted-names.js';
import type { Cell } from './cell.js';

/**
 * Where the database keeps its records (the seed's `net->cells` tree and
 * `net->proc_cells` list):
 *
 * - every live record, by lower-cased name, so a lookup is one map access and
 *   there is never more than one record of a name;
 * - the names of the ACTIVE (published) cells, kept sorted for listing.
 *
 * It only stores; the rules for when records come and go live in the
 * database.
 */
export class CellRegistry {
  readonly #byName = new Map<string, Cell>();
  readonly #published = new SortedNames();
  #emptyWaiters: (() => void)[] = [];

  /** The live record of `name` (already normalised), if any. */
  get(name: string): Cell | undefined {
    return this.#byName.get(name);
  }

  /** Number of live records (the seed's cells_outstanding, less bookkeeping). */
  get size(): number {
    return this.#byName.size;
  }

  /** Every live record, in no particular order. */
  all(): IterableIterator<Cell> {
    return this.#byName.values();
  }

  /** Inserts a new record; a second record of one name is a bug. */
  insert(cell: Cell): void {
    if (this.#byName.has(cell.name)) {
      throw new Error(`BUG: a second record of cell ${cell.name}`);
    }
    this.#byName.set(cell.name, cell);
  }

  /** Removes a record; wakes whoever waits for the registry to empty. */
  remove(cell: Cell): void {
    if (this.#byName.get(cell.name) !== cell) {
      throw new Error(`BUG: removing a record of cell ${cell.name} that is not registered`);
    }
    this.#byName.delete(cell.name);
    this.#published.delete(cell.name);
    if (this.#byName.size === 0) {
      const waiters = this.#emptyWaiters;
      this.#emptyWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  /** Resolves once no record is left. */
  whenEmpty(): Promise<void> {
    if (this.#byName.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#emptyWaiters.push(resolve));
  }

  publish(cell: Cell): void {
    this.#published.add(cell.name);
  }

  unpublish(cell: Cell): boolean {
    return this.#published.delete(cell.name);
  }

  isPublished(name: string): boolean {
    return this.#published.has(name);
  }

  /** Names of the published cells, sorted.  Shared: do not modify. */
  publishedNames(): readonly string[] {
    return this.#published.list();
  }
}
