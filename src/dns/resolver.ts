import type { VlServerList } from '../vl/types.js';

/**
 * What one VL-server lookup for a cell produced.  A resolver never throws for
 * a DNS failure: it classifies it in `list.status` (`not-found`,
 * `temp-failure`, `bad`, `local-failure`, `ns-failure`) and returns a list
 * with no servers.  The cell database turns the status and `ttl` into an
 * expiry time; the resolver knows nothing of clocks or retries.
 */
export interface VlLookupResult {
  readonly list: VlServerList;
  /** Smallest TTL (seconds) of the records the list was built from; absent when none. */
  readonly ttl?: number;
}

/**
 * Finds the VL servers of a cell (DNS SRV, AFSDB, then A/AAAA for targets).
 * `signal` aborts the lookup (shutdown); the promise then rejects with the
 * abort reason.
 */
export interface VlResolver {
  lookup(cellName: string, signal: AbortSignal): Promise<VlLookupResult>;
  /** Releases sockets and timers; pending lookups reject. */
  close(): Promise<void>;
}
