import type { VlLookupResult, VlResolver } from '../dns/resolver.js';
import type { Stats } from '../stats.js';
import type { Clock } from '../time/clock.js';
import type { Trace } from '../trace.js';
import { emptyVlServerList, hasServers } from '../vl/vl-list.js';
import type { Cell } from './cell.js';
import { NegativeCache } from './negative-cache.js';

/** Retry after DNS said the cell does not exist (the seed's 61 s). */
export const NOT_FOUND_RETRY_MS = 61_000;
/** Retry after any other failed lookup (the seed's 10 s). */
export const FAILURE_RETRY_MS = 10_000;

export interface RefreshOptions {
  /** null = DNS off: cells without configured servers have no list. */
  resolver: VlResolver | null;
  clock: Clock;
  stats: Stats;
  trace: Trace;
  warn: (message: string) => void;
  /** Clamp on DNS-derived expiry (ms). */
  minTtlMs: number;
  maxTtlMs: number;
}

/**
 * Keeping a cell's VL list fresh from DNS (the seed's afs_update_cell, with
 * the later kernel's rules): one shared lookup per cell, expiry by result
 * (TTL clamped, 61 s after not-found, 10 s after other failures), and a
 * list with servers never replaced by an empty one.  It changes only the
 * cell's list fields; when a record comes or goes, and when the manager
 * runs, is the database's business.
 */
export class VlRefresher {
  readonly #o: RefreshOptions;
  readonly #failures = new NegativeCache();

  constructor(options: RefreshOptions) {
    this.#o = options;
  }

  /** False when DNS is off. */
  get enabled(): boolean {
    return this.#o.resolver !== null;
  }

  /**
   * Gives a new record without configured servers its starting point: with
   * DNS off, no list and none coming; after a recent failure of the name,
   * that failure until its retry time (so readers queued behind the failed
   * lookup do not each ask again); otherwise nothing (look it up).
   */
  prepare(cell: Cell): void {
    if (cell.isStatic) return;
    if (!this.enabled) {
      cell.vlList = emptyVlServerList('unav', 'no-lookup');
      cell.resolvedOnce = true;
      cell.dnsExpiry = Infinity;
      return;
    }
    const failure = this.#failures.get(cell.name, this.#o.clock.now());
    if (failure) {
      cell.vlList = emptyVlServerList('unav', failure.status);
      cell.resolvedOnce = true;
      cell.dnsExpiry = failure.until;
    }
  }

  /** True when the cell's list has expired and no lookup is in flight. */
  isDue(cell: Cell): boolean {
    return this.enabled && !cell.isStatic && cell.lookup === null && cell.dnsExpiry <= this.#o.clock.now();
  }

  /**
   * Starts the cell's one shared lookup (stored in `cell.lookup`, which
   * settles after the result is stored) unless one is in flight.  `settled`
   * runs when it is over, whatever happened.
   */
  start(cell: Cell, settled: () => void): void {
    const resolver = this.#o.resolver;
    if (!resolver || cell.lookup || cell.isStatic) return;
    const { stats, trace, warn } = this.#o;
    const abort = new AbortController();
    cell.lookupAbort = abort;
    stats.dnsLookups++;
    trace.record(cell.debugId, cell.name, 'dns-lookup', cell.usage, 'dns');
    cell.lookup = resolver
      .lookup(cell.name, abort.signal)
      .then(
        (result) => {
          if (!abort.signal.aborted) this.#apply(cell, result);
        },
        (err: unknown) => {
          if (abort.signal.aborted) return;
          warn(`cell ${cell.name}: lookup failed: ${String(err)}`);
          this.#apply(cell, { list: emptyVlServerList('unav', 'local-failure') });
        },
      )
      .finally(() => {
        cell.lookup = null;
        cell.lookupAbort = null;
        settled();
      });
  }

  /** Rejects pending lookups and releases the resolver's sockets. */
  async close(): Promise<void> {
    await this.#o.resolver?.close();
  }

  /**
   * Stores a lookup's result: its expiry by status (good: TTL clamped to
   * [min, max]; not-found: 61 s; else 10 s), and the list itself unless it
   * is empty and the cell already has servers.
   */
  #apply(cell: Cell, result: VlLookupResult): void {
    if (cell.state === 'REMOVED' || cell.isStatic) return;
    const { clock, stats, trace, minTtlMs, maxTtlMs } = this.#o;
    const now = clock.now();
    const { list } = result;
    stats.countDnsResult(list.status);
    cell.resolvedOnce = true;
    let expiry: number;
    if (hasServers(list)) {
      const ttlMs = (result.ttl ?? 0) * 1000;
      expiry = now + Math.min(maxTtlMs, Math.max(minTtlMs, ttlMs));
      this.#failures.forget(cell.name);
    } else {
      expiry = now + (list.status === 'not-found' ? NOT_FOUND_RETRY_MS : FAILURE_RETRY_MS);
      this.#failures.remember(cell.name, list.status, expiry);
    }
    cell.dnsExpiry = expiry;
    if (hasServers(list) || !hasServers(cell.vlList)) {
      cell.vlList = list;
      cell.failedRefresh = null;
      cell.cachedAt = null;
      if (hasServers(list)) void cell.cacheEntry?.store(list, Date.now());
    } else {
      cell.failedRefresh = { status: list.status, retryAt: expiry };
    }
    trace.record(cell.debugId, cell.name, `dns-${list.status}`, cell.usage, 'dns');
  }
}
