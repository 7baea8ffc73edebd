import type { AfsError } from '../errors.js';
import type { CellCacheEntry } from './cache.js';
import type { VlServerList, VlStatus } from '../vl/types.js';

/**
 * The states of a cell record (the seed's enum afs_cell_state, plus the
 * later kernel's terminal REMOVED):
 *
 *   UNSET -> ACTIVATING -> ACTIVE -> DEACTIVATING -> INACTIVE -> REMOVED
 *                  \-> FAILED -> REMOVED
 *
 * A DEACTIVATING record that is used again goes back to ACTIVE; an INACTIVE
 * one that is used again starts over at UNSET.  Only the cell's manager moves
 * a record between states.
 */
export type CellState =
  | 'UNSET'
  | 'ACTIVATING'
  | 'ACTIVE'
  | 'DEACTIVATING'
  | 'INACTIVE'
  | 'FAILED'
  | 'REMOVED';

/** Why a cell is pinned (held in use with no file or lookup holding it). */
export type PinReason = 'rootcell' | 'preload';

/** A DNS refresh that failed while an older, non-empty list was kept. */
export interface FailedRefresh {
  readonly status: VlStatus;
  readonly retryAt: number;
}

let nextDebugId = 1;

/**
 * One cell record.  The database owns it; everything else holds it only
 * between a use and the matching unuse.
 */
export class Cell {
  readonly name: string;
  /** Distinguishes an old record from a newer one of the same name in traces. */
  readonly debugId = nextDebugId++;

  state: CellState = 'UNSET';
  /**
   * 1 for the database itself, +1 for every user (open handle, lookup in
   * progress, pin).  1 means idle; 0 means the record is being destroyed.
   */
  usage = 2;
  readonly pins = new Set<PinReason>();

  /** The current VL server list; never replaced by an empty one while it has servers. */
  vlList: VlServerList;
  /** True for lists from configuration: never refreshed from DNS. */
  isStatic: boolean;
  /** When the list must be refreshed (ms); -Infinity = never looked up, Infinity = static. */
  dnsExpiry: number;
  /** Set when a refresh failed and the previous list was kept. */
  failedRefresh: FailedRefresh | null = null;
  /** True once the first DNS result (of any status) has arrived, or for static cells. */
  resolvedOnce: boolean;
  /** The lookup in flight, shared by every waiter; null when none. */
  lookup: Promise<void> | null = null;
  lookupAbort: AbortController | null = null;

  /** The cell's cache entry, held while it is active (the seed's cookie). */
  cacheEntry: CellCacheEntry | null = null;
  /** Wall-clock time the list was saved, while the list shown came from the cache. */
  cachedAt: number | null = null;

  /** When usage last fell to 1 (ms). */
  lastInactive = 0;
  /** Why activation failed (state FAILED). */
  error: AfsError | null = null;

  /** Manager bookkeeping: a run is in progress / another run was requested. */
  managing = false;
  manageAgain = false;

  #stateWaiters: (() => void)[] = [];

  constructor(name: string, vlList: VlServerList, isStatic: boolean) {
    this.name = name;
    this.vlList = vlList;
    this.isStatic = isStatic;
    this.dnsExpiry = isStatic ? Infinity : -Infinity;
    this.resolvedOnce = isStatic;
  }

  /** Resolves at the next state change. */
  nextStateChange(): Promise<void> {
    return new Promise((resolve) => this.#stateWaiters.push(resolve));
  }

  /** Stores a new state and wakes everyone waiting for a change. */
  setState(state: CellState): CellState {
    const old = this.state;
    this.state = state;
    const waiters = this.#stateWaiters;
    this.#stateWaiters = [];
    for (const wake of waiters) wake();
    return old;
  }
}
