/**
 * The lifecycle trace (the kernel's trace_afs_cell): every change of a
 * cell's usage count or state is recorded with the reason that caused it,
 * in a bounded ring buffer.  `--debug` also prints each event as it happens,
 * and tests replay the buffer to prove that every use was balanced by an
 * unuse.
 */
export type TraceReason =
  | 'lookup'
  | 'open'
  | 'release'
  | 'rootcell'
  | 'pin'
  | 'unpin'
  | 'gc'
  | 'purge'
  | 'manager'
  | 'alloc'
  | 'free'
  | 'dns';

export interface TraceEvent {
  readonly seq: number;
  readonly cellId: number;
  readonly cell: string;
  /** What happened: `use`, `unuse`, a transition `A->B`, `alloc`, `free`. */
  readonly what: string;
  readonly usage: number;
  readonly reason: TraceReason;
}

export class Trace {
  readonly #capacity: number;
  readonly #ring: TraceEvent[] = [];
  #next = 0;
  #seq = 0;
  #sink: ((event: TraceEvent) => void) | null;

  /** `sink` sees every event as it is recorded (--debug prints them; tests tally them). */
  constructor(capacity = 4096, sink: ((event: TraceEvent) => void) | null = null) {
    this.#capacity = capacity;
    this.#sink = sink;
  }

  record(cellId: number, cell: string, what: string, usage: number, reason: TraceReason): void {
    const event: TraceEvent = { seq: this.#seq++, cellId, cell, what, usage, reason };
    if (this.#ring.length < this.#capacity) this.#ring.push(event);
    else this.#ring[this.#next] = event;
    this.#next = (this.#next + 1) % this.#capacity;
    this.#sink?.(event);
  }

  /** The retained events, oldest first. */
  events(): TraceEvent[] {
    if (this.#ring.length < this.#capacity) return [...this.#ring];
    return [...this.#ring.slice(this.#next), ...this.#ring.slice(0, this.#next)];
  }

  /** Total number of events ever recorded (may exceed what is retained). */
  get recorded(): number {
    return this.#seq;
  }
}

/** One trace event as `--debug` prints it. */
export function formatTraceEvent(e: TraceEvent): string {
  return `cell ${e.cell} ${e.what} usage=${e.usage} reason=${e.reason} id=${e.cellId}`;
}
