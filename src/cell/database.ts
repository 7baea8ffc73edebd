import { AfsError, isAfsError } from '../errors.js';
import type { VlResolver } from '../dns/resolver.js';
import { Stats } from '../stats.js';
import type { Clock } from '../time/clock.js';
import { systemClock } from '../time/clock.js';
import { Trace, type TraceReason } from '../trace.js';
import { parseRootCellSpec } from '../vl/text-addrs.js';
import { dummyVlServerList, emptyVlServerList, hasServers, type VlNotes } from '../vl/vl-list.js';
import type { VlServerList } from '../vl/types.js';
import { CellCache, type CellCacheStore } from './cache.js';
import { Cell, type CellState, type PinReason } from './cell.js';
import { normalizeCellName } from './names.js';
import { VlRefresher } from './vl-refresh.js';
import { CellRegistry } from './registry.js';
import { CellScheduler } from './scheduler.js';

export { FAILURE_RETRY_MS, NOT_FOUND_RETRY_MS } from './vl-refresh.js';

/** Static cells known from configuration (CellServDB). */
export interface StaticCellSource {
  /** The configured list of `name` (normalised), if the configuration has the cell. */
  get(name: string): { readonly list: VlServerList } | undefined;
}

export interface CellDatabaseOptions {
  /** How cells without configured servers are resolved; null = DNS off. */
  resolver: VlResolver | null;
  clock?: Clock;
  staticCells?: StaticCellSource;
  /** Grace before an idle cell with servers is destroyed (ms). Default 10 s. */
  gcDelayMs?: number;
  /** Clamp on DNS-derived expiry (ms). Defaults 600 s and 86400 s. */
  minTtlMs?: number;
  maxTtlMs?: number;
  trace?: Trace;
  /** Counters, when the caller shares them with other parts (the DNS transport). */
  stats?: Stats;
  /** Where each DNS cell's last good list is kept; none when absent. */
  cache?: CellCacheStore;
  warn?: (message: string) => void;
}

/**
 * The cell database of one namespace (the seed's afs_net plus cell.c).
 *
 * Records are created on lookup and shared: concurrent lookups of one name
 * get one record and one DNS lookup.  Each record has a manager that
 * activates it, refreshes its VL list while it is in use and destroys it
 * after it has been idle for the GC delay.  One timer, aimed at the soonest
 * due event, drives all managers.  purge() counts every record out.
 */
export class CellDatabase {
  readonly registry = new CellRegistry();
  readonly stats: Stats;
  readonly trace: Trace;
  readonly clock: Clock;
  readonly #static: StaticCellSource | undefined;
  readonly #gcDelayMs: number;
  readonly #warn: (message: string) => void;
  readonly #scheduler: CellScheduler;
  readonly #cache: CellCacheStore;
  readonly #refresher: VlRefresher;
  #live = true;
  #rootCell: Cell | null = null;
  #purge: Promise<void> | null = null;

  constructor(options: CellDatabaseOptions) {
    this.clock = options.clock ?? systemClock;
    this.#static = options.staticCells;
    this.#gcDelayMs = options.gcDelayMs ?? 10_000;
    this.trace = options.trace ?? new Trace();
    this.stats = options.stats ?? new Stats();
    this.#warn = options.warn ?? (() => {});
    this.#cache = options.cache ?? new CellCache(null);
    this.#refresher = new VlRefresher({
      resolver: options.resolver,
      clock: this.clock,
      stats: this.stats,
      trace: this.trace,
      warn: this.#warn,
      minTtlMs: options.minTtlMs ?? 600_000,
      maxTtlMs: options.maxTtlMs ?? 86_400_000,
    });
    this.#scheduler = new CellScheduler(this.clock, (cell) => this.#queueManager(cell));
  }

  /** False once purge() has begun: new lookups fail with ESHUTDOWN. */
  get live(): boolean {
    return this.#live;
  }

  /** The workstation cell, if one is set. */
  get rootCell(): Cell | null {
    return this.#rootCell;
  }

  /** The scheduler, for tests and benchmarks that check the timer invariant. */
  get scheduler(): CellScheduler {
    return this.#scheduler;
  }

  /** Names of the cells that are ACTIVE now, sorted. */
  activeCellNames(): readonly string[] {
    return this.registry.publishedNames();
  }

  /** The live record of `name` if there is one; never creates a record or takes a use. */
  findCell(name: string): Cell | undefined {
    try {
      return this.registry.get(normalizeCellName(name));
    } catch {
      return undefined;
    }
  }

  /**
   * Returns the ACTIVE record of `name` with a use held for the caller, who
   * must give it back with unuseCell().  An unknown name gets a new record
   * (with `vllist`, or its configured list, or none); the DNS lookup it may
   * need is started here but not awaited: waiting for VL servers is
   * vlListFor()'s job, so that a lookup is answered from memory.
   *
   * @throws AfsError EINVAL/ENAMETOOLONG for a bad name, ESHUTDOWN during
   *   purge, or the activation error of a FAILED record.
   */
  async lookupCell(rawName: string, reason: TraceReason = 'lookup', vllist?: VlServerList): Promise<Cell> {
    this.#checkLive();
    const name = normalizeCellName(rawName);
    this.stats.lookups++;
    let cell: Cell;
    for (;;) {
      const found = this.registry.get(name);
      if (!found) {
        cell = this.#createCell(name, vllist, reason);
        break;
      }
      if (found.usage === 0) {
        // Being destroyed: the old record must be gone before a new one of
        // the same name may exist (the seed's cache-cookie rule).
        await this.#waitForState(found, ['REMOVED']);
        this.#checkLive();
        continue;
      }
      this.useCell(found, reason);
      cell = found;
      break;
    }
    try {
      await this.#waitForState(cell, ['ACTIVE', 'FAILED']);
      if (cell.state === 'FAILED') {
        throw cell.error ?? new AfsError('EIO', `cell ${name}: activation failed`);
      }
    } catch (err) {
      this.unuseCell(cell, reason);
      throw err;
    }
    if (this.#needsRefresh(cell)) this.#startRefresh(cell);
    return cell;
  }

  /** Takes another use of a record the caller already holds a use of. */
  useCell(cell: Cell, reason: TraceReason): void {
    if (cell.usage < 1 || cell.state === 'REMOVED') {
      throw new Error(`BUG: use of cell ${cell.name} in state ${cell.state} usage ${cell.usage}`);
    }
    cell.usage++;
    this.trace.record(cell.debugId, cell.name, 'use', cell.usage, reason);
    if (cell.usage === 2) {
      // Idle -> in use: a pending GC no longer applies, and a record on its
      // way down must be brought back up.
      if (cell.state === 'DEACTIVATING' || cell.state === 'INACTIVE') this.#queueManager(cell);
      else this.#reschedule(cell);
    }
  }

  /** Gives back a use.  At the last user the record becomes idle and its GC is scheduled. */
  unuseCell(cell: Cell, reason: TraceReason): void {
    if (cell.usage <= 1) {
      throw new Error(`BUG: unbalanced unuse of cell ${cell.name} (usage ${cell.usage})`);
    }
    cell.usage--;
    this.trace.record(cell.debugId, cell.name, 'unuse', cell.usage, reason);
    if (cell.usage === 1) {
      cell.lastInactive = this.clock.now();
      this.#reschedule(cell);
    }
  }

  /**
   * Returns the cell's VL server list, waiting for the first DNS result if
   * there is no usable list yet.  An expired list is returned at once while
   * one refresh runs in the background.  The caller holds a use.
   *
   * @throws AfsError ENOENT when DNS says the cell does not exist,
   *   EDESTADDRREQ when there is no usable list for another reason,
   *   ESHUTDOWN during purge.
   */
  async vlListFor(cell: Cell): Promise<VlServerList> {
    let waited = false;
    for (;;) {
      this.#checkLive();
      if (this.#needsRefresh(cell)) this.#startRefresh(cell);
      if (hasServers(cell.vlList)) {
        if (waited) this.stats.waitedReads++;
        else this.stats.warmReads++;
        return cell.vlList;
      }
      // Each lookup that completes moves the expiry into the future, so
      // this loop only goes round again after a lookup that was aborted.
      if (!cell.lookup) throw noListError(cell);
      waited = true;
      await cell.lookup;
    }
  }

  /** The comment lines vlservers shows for the cell: cached origin, failed refresh. */
  vlNotes(cell: Cell): VlNotes {
    const notes: VlNotes = {};
    if (cell.cachedAt !== null) notes.cachedAt = new Date(cell.cachedAt);
    const failed = cell.failedRefresh;
    if (failed) {
      const retryInSeconds = Math.max(0, Math.ceil((failed.retryAt - this.clock.now()) / 1000));
      notes.lastRefresh = { status: failed.status, retryInSeconds };
    }
    return notes;
  }

  /**
   * Installs the workstation cell from `name[:addr[:addr…]]` (the seed's
   * afs_cell_init, as written to /rootcell).  The cell is looked up or
   * created, given the addresses if any, and pinned; the previous root cell
   * loses its pin.  Nothing changes if anything fails.
   *
   * @throws AfsError EINVAL/ENAMETOOLONG for bad input, ENOENT when DNS says
   *   the cell does not exist (a temporary failure still installs it).
   */
  async setRootCell(spec: string): Promise<Cell> {
    const { name, addresses } = parseRootCellSpec(spec);
    const list = addresses ? dummyVlServerList(addresses) : undefined;
    const cell = await this.lookupCell(name, 'rootcell', list);
    try {
      if (list) {
        if (cell.vlList !== list) this.#setStaticList(cell, list);
      } else {
        await this.vlListFor(cell).catch((err: unknown) => {
          if (isAfsError(err, 'EDESTADDRREQ')) return; // retried by the manager
          throw err;
        });
      }
      this.#checkLive();
    } catch (err) {
      this.unuseCell(cell, 'rootcell');
      throw err;
    }
    const old = this.#rootCell;
    if (old === cell) {
      this.unuseCell(cell, 'rootcell'); // already pinned as root
      return cell;
    }
    cell.pins.add('rootcell'); // the lookup's use becomes the pin
    this.#rootCell = cell;
    if (old) {
      old.pins.delete('rootcell');
      this.unuseCell(old, 'unpin');
    }
    return cell;
  }

  /** Pins `name` so it is never collected until purge (kafs-preload, --preload). */
  async pinCell(name: string, reason: PinReason): Promise<Cell> {
    const cell = await this.lookupCell(name, 'pin');
    if (cell.pins.has(reason)) this.unuseCell(cell, 'pin');
    else cell.pins.add(reason);
    return cell;
  }

  /**
   * Counts every record out (the seed's afs_cell_purge): drops the root cell
   * and all pins, aborts DNS in flight, runs every manager down and resolves
   * when no record is left.  Records still used by others (open files) stay
   * until those uses are given back.  Idempotent.
   */
  purge(): Promise<void> {
    this.#purge ??= this.#runPurge();
    return this.#purge;
  }

  async #runPurge(): Promise<void> {
    this.#live = false;
    const root = this.#rootCell;
    this.#rootCell = null;
    if (root) {
      root.pins.delete('rootcell');
      this.unuseCell(root, 'purge');
    }
    for (const cell of [...this.registry.all()]) {
      for (const pin of [...cell.pins]) {
        cell.pins.delete(pin);
        this.unuseCell(cell, 'purge');
      }
      cell.lookupAbort?.abort(new AfsError('ESHUTDOWN', 'cell database shutting down'));
      this.#queueManager(cell);
    }
    await this.registry.whenEmpty();
    this.#scheduler.stop();
    await this.#refresher.close();
  }

  #checkLive(): void {
    if (!this.#live) throw new AfsError('ESHUTDOWN', 'cell database shutting down');
  }

  #createCell(name: string, vllist: VlServerList | undefined, reason: TraceReason): Cell {
    const list = vllist ?? this.#static?.get(name)?.list;
    if (!list && !this.#refresher.enabled) {
      // As afsd without -afsdb: a cell no configuration names does not exist.
      throw new AfsError('ENOENT', `cell ${name} is in no CellServDB and DNS is off`);
    }
    const isStatic = list !== undefined && hasServers(list);
    const cell = new Cell(name, list ?? emptyVlServerList(), isStatic);
    this.#refresher.prepare(cell);
    this.registry.insert(cell);
    this.stats.recordsCreated++;
    this.trace.record(cell.debugId, cell.name, 'alloc', cell.usage, reason);
    this.#queueManager(cell);
    return cell;
  }

  async #waitForState(cell: Cell, states: CellState[]): Promise<void> {
    while (!states.includes(cell.state)) {
      if (cell.state === 'REMOVED') throw new Error(`BUG: cell ${cell.name} removed while in use`);
      await cell.nextStateChange();
    }
  }

  #setState(cell: Cell, state: CellState, reason: TraceReason): void {
    const old = cell.setState(state);
    this.trace.record(cell.debugId, cell.name, `${old}->${state}`, cell.usage, reason);
  }

  /** Replaces a cell's list with a configured one (rootcell with addresses). */
  #setStaticList(cell: Cell, list: VlServerList): void {
    cell.lookupAbort?.abort(new AfsError('EINVAL', 'list replaced by configuration'));
    cell.vlList = list;
    cell.isStatic = true;
    cell.resolvedOnce = true;
    cell.dnsExpiry = Infinity;
    cell.failedRefresh = null;
    this.#reschedule(cell);
  }

  // ---- DNS refresh -------------------------------------------------------

  #needsRefresh(cell: Cell): boolean {
    return this.#live && this.#refresher.isDue(cell);
  }

  /** Starts the cell's one shared lookup, unless one is in flight or we are shutting down. */
  #startRefresh(cell: Cell): void {
    if (!this.#live || cell.state === 'REMOVED') return;
    this.#refresher.start(cell, () => this.#reschedule(cell));
    this.#reschedule(cell);
  }

  // ---- the manager ------------------------------------------------------

  /**
   * When the cell's manager must next run: the GC time of an idle record,
   * the DNS expiry of one in use, or null when nothing is pending.
   */
  #nextDue(cell: Cell): number | null {
    if (cell.state === 'FAILED') return cell.usage === 1 ? cell.lastInactive : null;
    if (cell.state !== 'ACTIVE') return null;
    if (cell.usage <= 1) {
      if (!this.#live) return -Infinity;
      // Never collect a record whose first answer is still coming: its
      // first reader is about to ask for it.
      if (cell.lookup && !cell.resolvedOnce) return null;
      return cell.lastInactive + (hasServers(cell.vlList) ? this.#gcDelayMs : 0);
    }
    if (!this.#live || cell.isStatic || cell.lookup || cell.dnsExpiry === Infinity) return null;
    return cell.dnsExpiry;
  }

  /** Puts the cell's next event into the scheduler (or runs it now during purge). */
  #reschedule(cell: Cell): void {
    if (cell.state === 'REMOVED') {
      this.#scheduler.schedule(cell, null);
      return;
    }
    const due = this.#nextDue(cell);
    if (!this.#live && due !== null) {
      this.#scheduler.schedule(cell, null);
      this.#queueManager(cell);
      return;
    }
    this.#scheduler.schedule(cell, due);
  }

  /** Queues the cell's manager; runs of one cell never overlap. */
  #queueManager(cell: Cell): void {
    if (cell.state === 'REMOVED') return;
    if (cell.managing) {
      cell.manageAgain = true;
      return;
    }
    cell.managing = true;
    queueMicrotask(() => void this.#runManager(cell));
  }

  async #runManager(cell: Cell): Promise<void> {
    try {
      do {
        cell.manageAgain = false;
        await this.#manageCell(cell);
      } while (cell.manageAgain && cell.state !== 'REMOVED');
    } catch (err) {
      this.#warn(`BUG: manager of cell ${cell.name} failed: ${String(err)}`);
    } finally {
      cell.managing = false;
    }
    if (cell.state !== 'REMOVED') this.#reschedule(cell);
  }

  /** The per-cell state machine (the seed's afs_manage_cell). */
  async #manageCell(cell: Cell): Promise<void> {
    for (;;) {
      switch (cell.state) {
        case 'UNSET':
          this.#setState(cell, 'ACTIVATING', 'manager');
          continue;

        case 'ACTIVATING':
          try {
            await this.#activateCell(cell);
          } catch (err) {
            cell.error = isAfsError(err) ? err : new AfsError('EIO', `cell ${cell.name}: ${String(err)}`);
            this.#warn(`cell ${cell.name}: activation failed: ${cell.error.message}`);
            this.#releaseCacheEntry(cell);
            this.#setState(cell, 'FAILED', 'manager');
            continue;
          }
          // Published in the same step as the state change: the listing is
          // exactly the set of ACTIVE records.
          this.registry.publish(cell);
          this.#setState(cell, 'ACTIVE', 'manager');
          continue;

        case 'ACTIVE': {
          if (cell.usage > 1) {
            if (this.#needsRefresh(cell)) this.#startRefresh(cell);
            return;
          }
          const due = this.#nextDue(cell);
          if (due === null || due > this.clock.now()) return;
          this.stats.gcRuns++;
          this.#setState(cell, 'DEACTIVATING', this.#live ? 'gc' : 'purge');
          continue;
        }

        case 'DEACTIVATING':
          // Off the listing and no more DNS at once; then let the cache
          // entry's writes land.  Whoever uses the cell meanwhile reverses
          // the deactivation: it keeps its entry and goes back on the list.
          this.registry.unpublish(cell);
          cell.lookupAbort?.abort(new AfsError('ESHUTDOWN', 'cell deactivated'));
          await cell.cacheEntry?.flush();
          if (cell.usage > 1) {
            this.registry.publish(cell);
            this.#setState(cell, 'ACTIVE', 'manager');
            continue;
          }
          this.#releaseCacheEntry(cell);
          this.#setState(cell, 'INACTIVE', 'manager');
          continue;

        case 'INACTIVE':
        case 'FAILED':
          if (cell.usage === 1) {
            await this.#destroyCell(cell);
            return;
          }
          if (cell.state === 'FAILED') return;
          this.#setState(cell, 'UNSET', 'manager');
          continue;

        case 'REMOVED':
          return;
      }
    }
  }

  /**
   * Takes the cell's cache entry.  A DNS cell with nothing better is given
   * its cached list, served (stale) while the first refresh runs.
   */
  async #activateCell(cell: Cell): Promise<void> {
    const entry = this.#cache.acquire(cell.name);
    cell.cacheEntry = entry;
    if (!cell.isStatic && this.#refresher.enabled && !hasServers(cell.vlList)) {
      const prepared = cell.vlList;
      const cached = await entry.load();
      if (cached && !cell.isStatic && !hasServers(cell.vlList)) {
        cell.vlList = cached.list;
        cell.cachedAt = cached.savedAt;
        this.stats.cacheHits++;
        // Starting from a remembered failure: say so, as the record that
        // saw it did, until the retry.
        if (cell.resolvedOnce && prepared.status !== 'no-lookup') {
          cell.failedRefresh = { status: prepared.status, retryAt: cell.dnsExpiry };
        }
      }
    }
  }

  #releaseCacheEntry(cell: Cell): void {
    const entry = cell.cacheEntry;
    cell.cacheEntry = null;
    if (entry) this.#cache.release(entry);
  }

  /**
   * Final destruction: usage 1 -> 0 makes the record unfindable for new
   * users (they wait for REMOVED and create a fresh record), then any
   * aborted lookup settles and the record leaves the registry.
   */
  async #destroyCell(cell: Cell): Promise<void> {
    cell.usage = 0;
    this.trace.record(cell.debugId, cell.name, 'free', 0, this.#live ? 'gc' : 'purge');
    this.#scheduler.schedule(cell, null);
    if (cell.lookup) await cell.lookup;
    this.registry.remove(cell);
    this.stats.recordsDestroyed++;
    this.#setState(cell, 'REMOVED', this.#live ? 'gc' : 'purge');
  }
}

function noListError(cell: Cell): AfsError {
  const status = cell.failedRefresh?.status ?? cell.vlList.status;
  if (status === 'not-found') {
    return new AfsError('ENOENT', `cell ${cell.name}: not found`);
  }
  return new AfsError('EDESTADDRREQ', `cell ${cell.name}: no usable VL server list (${status})`);
}
