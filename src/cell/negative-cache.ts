import type { VlStatus } from '../vl/types.js';

/** How many failed names are remembered at most (oldest forgotten first). */
const DEFAULT_CAPACITY = 4096;

interface Failure {
  readonly status: VlStatus;
  /** When the name may be asked again (ms, database clock). */
  readonly until: number;
}

/**
 * Recent DNS failures by cell name, so that a record destroyed at once for
 * having no servers does not take its answer with it: a new record of the
 * name starts from the failure until its retry time (61 s for not-found,
 * 10 s otherwise), as a negative DNS key would in the kernel.  Without it,
 * readers queued behind one another on the kernel's per-directory lock
 * would each start a fresh lookup of a name that just failed.
 */
export class NegativeCache {
  readonly #capacity: number;
  /** Insertion order is the order failures were recorded. */
  readonly #failures = new Map<string, Failure>();

  constructor(capacity = DEFAULT_CAPACITY) {
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#failures.size;
  }

  /** The failure remembered for `name`, if it has not expired by `now`. */
  get(name: string, now: number): Failure | undefined {
    const failure = this.#failures.get(name);
    if (failure === undefined) return undefined;
    if (failure.until <= now) {
      this.#failures.delete(name);
      return undefined;
    }
    return failure;
  }

  /** Remembers that `name` failed with `status` until `until`. */
  remember(name: string, status: VlStatus, until: number): void {
    this.#failures.delete(name); // re-insert at the end: newest
    this.#failures.set(name, { status, until });
    // Forget the oldest: amortised O(1), no walk over the table.
    for (const oldest of this.#failures.keys()) {
      if (this.#failures.size <= this.#capacity) break;
      this.#failures.delete(oldest);
    }
  }

  /** Forgets `name` (it resolved). */
  forget(name: string): void {
    this.#failures.delete(name);
  }
}
