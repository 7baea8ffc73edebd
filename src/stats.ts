import type { VlStatus } from './vl/types.js';

/**
 * Counters for `/stats`.  Plain numbers, bumped where things happen; the
 * rendering is the only logic here.
 */
export class Stats {
  lookups = 0;
  recordsCreated = 0;
  recordsDestroyed = 0;
  gcRuns = 0;
  dnsLookups = 0;
  readonly dnsResults = new Map<VlStatus, number>();
  readonly dnsQueries = new Map<string, number>();
  cacheHits = 0;
  warmReads = 0;
  waitedReads = 0;
  readonly errors = new Map<string, number>();

  countDnsResult(status: VlStatus): void {
    this.dnsResults.set(status, (this.dnsResults.get(status) ?? 0) + 1);
  }

  /** Counts one DNS query of `type` that ended with `result` (e.g. `SRV`, `ok`). */
  countDnsQuery(type: string, result: string): void {
    const key = `${type}/${result}`;
    this.dnsQueries.set(key, (this.dnsQueries.get(key) ?? 0) + 1);
  }

  countError(errno: string): void {
    this.errors.set(errno, (this.errors.get(errno) ?? 0) + 1);
  }

  /** The `/stats` text: one `key: value` line each, maps as `key.sub: value`. */
  render(liveRecords: number, activeCells: number): string {
    const lines = [
      `lookups: ${this.lookups}`,
      `records.created: ${this.recordsCreated}`,
      `records.destroyed: ${this.recordsDestroyed}`,
      `records.live: ${liveRecords}`,
      `cells.active: ${activeCells}`,
      `gc.runs: ${this.gcRuns}`,
      `cache.hits: ${this.cacheHits}`,
      `reads.warm: ${this.warmReads}`,
      `reads.waited: ${this.waitedReads}`,
      `dns.lookups: ${this.dnsLookups}`,
    ];
    for (const [k, v] of [...this.dnsResults].sort()) lines.push(`dns.result.${k}: ${v}`);
    for (const [k, v] of [...this.dnsQueries].sort()) lines.push(`dns.query.${k}: ${v}`);
    for (const [k, v] of [...this.errors].sort()) lines.push(`errors.${k}: ${v}`);
    return lines.join('\n') + '\n';
  }
}
