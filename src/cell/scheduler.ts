import type { Clock } from '../time/clock.js';
import { ReducingTimer } from '../time/reducing-timer.js';
import { DueHeap } from '../util/min-heap.js';
import type { Cell } from './cell.js';

/**
 * The namespace manager's timing (the seed's afs_manage_cells and
 * cells_timer), without the walk: every cell that has a next event (GC
 * after its grace period, or DNS expiry while in use) has exactly one entry
 * in a min-heap, and the single timer is aimed at the heap's top.  When the
 * timer fires, only the cells that are due are handed to their managers, at
 * O(log n) each.
 */
export class CellScheduler {
  readonly #clock: Clock;
  readonly #heap = new DueHeap<Cell>();
  readonly #timer: ReducingTimer;
  readonly #onDue: (cell: Cell) => void;
  #stopped = false;
  /** Number of times the timer fired (for /stats). */
  ticks = 0;

  constructor(clock: Clock, onDue: (cell: Cell) => void) {
    this.#clock = clock;
    this.#onDue = onDue;
    this.#timer = new ReducingTimer(clock, () => this.#fire());
  }

  /** Sets `cell`'s next event to `due` (ms), or clears it when `due` is null. */
  schedule(cell: Cell, due: number | null): void {
    if (due === null) {
      this.#heap.delete(cell);
      if (this.#heap.size === 0) this.#timer.cancel();
      return;
    }
    this.#heap.set(cell, due);
    if (!this.#stopped) this.#timer.reduce(due);
  }

  /** The cell's scheduled time, if any. */
  dueOf(cell: Cell): number | undefined {
    return this.#heap.dueOf(cell);
  }

  /** The earliest scheduled time, if any. */
  get nextDue(): number | undefined {
    return this.#heap.peek()?.due;
  }

  /** When the timer will fire, or null if it is not armed. */
  get armedAt(): number | null {
    return this.#timer.armedAt;
  }

  get size(): number {
    return this.#heap.size;
  }

  /** Disarms the timer for good (end of purge). */
  stop(): void {
    this.#stopped = true;
    this.#timer.cancel();
  }

  #fire(): void {
    if (this.#stopped) return;
    this.ticks++;
    const now = this.#clock.now();
    for (let cell = this.#heap.popDue(now); cell; cell = this.#heap.popDue(now)) {
      this.#onDue(cell);
    }
    const next = this.#heap.peek();
    if (next) this.#timer.reduce(next.due);
  }
}
