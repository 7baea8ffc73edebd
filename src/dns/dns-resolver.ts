/**
 * VL server lookup over DNS, in the order of RFC 5864 §5:
 *
 *   1. SRV `_afs3-vlserver._udp.<cell>`.
 *   2. Only if that gave no SRV records (NXDOMAIN or NODATA): AFSDB `<cell>`,
 *      using subtype 1 (AFS VL server) records only; subtype 2 (DCE) and any
 *      other subtype are ignored.  A temporary failure of the SRV query is
 *      reported as such: it does not fall through to AFSDB, whose answer could
 *      then replace a good SRV-derived list.
 *   3. A and AAAA for every target host.
 *
 * Decisions (SPEC §4 leaves these open):
 *   - Cell names are lower-cased before anything is asked; answers are
 *     matched case-insensitively and host names are kept lower-cased.
 *   - SRV keeps priority, weight and port; AFSDB means p=0 w=0 port 7003.
 *   - An SRV record whose target is "." means "no service here" (RFC 2782).
 *     It is skipped; if every SRV record is such, the result is `not-found`
 *     and AFSDB is not consulted (the zone did publish SRV records).
 *   - Targets are de-duplicated case-insensitively.  Of several records for
 *     one target the most preferred is kept (lowest priority, highest weight,
 *     lowest port), so the outcome does not depend on the answer order (BIND
 *     rotates it).
 *   - CNAMEs are followed, for SRV, AFSDB and address queries alike, whether
 *     the chain comes in one answer (a recursive server) or one link per
 *     query (an authoritative one): at most MAX_CNAME_DEPTH links.  A longer
 *     chain or a loop makes that query `bad`.
 *   - Targets are sorted (priority, weight descending, name) and only the
 *     first MAX_VL_SERVERS are resolved; the rest are dropped with a warning
 *     before any address query is sent, which bounds the work per lookup.
 *     Each server keeps at most MAX_VL_ADDRESSES addresses (IPv4 first, then
 *     numeric order); the rest are dropped with a warning.
 *   - Loopback addresses (127/8, ::1, ::ffff:127/104) and the unspecified
 *     addresses (0.0.0.0, ::) are dropped with a warning: never published.
 *   - A server whose host resolved to no usable address is left out of the
 *     list (its name alone is no use to a client).
 *   - TTL: the smallest TTL of the records the list was built from: the
 *     SRV/AFSDB records of the servers in the list, the A/AAAA records of the
 *     addresses in the list, and any CNAME records on the way to either.
 *     Records that contributed nothing (a target that did not resolve, an
 *     address beyond the cap, a loopback address) do not count.  No clamping
 *     here: a TTL of 0 is reported as 0; clamping is the cell database's job.
 *     `ttl` is set only for a `good` result.
 *   - Status: `good` when at least one server has an address.  Otherwise:
 *     `temp-failure` for a timeout, network error, SERVFAIL, REFUSED or any
 *     other error rcode (of the SRV or AFSDB query, or of an address query
 *     when no target resolved); `bad` for a malformed answer (a record that
 *     does not decode, a reply that does not match the question, a broken
 *     CNAME chain, a target that is not a host name); `not-found` for
 *     NXDOMAIN/NODATA of both SRV and AFSDB, or when no target resolved to
 *     any address; `local-failure` for a name that cannot be put in a query.
 *   - Source: `SRV` or `AFSDB` once such records were found, else `unav`.
 *   - Each lookup is bounded in time (`lookupTimeoutMs`, by default three
 *     times the transport's query bound: SRV, AFSDB, then addresses).  When
 *     the bound passes, everything still in flight is abandoned and the
 *     result is `temp-failure`.
 */
import { setMaxListeners } from 'node:events';
import dns2 from 'dns2';
import { AfsError } from '../errors.js';
import { compareAddresses, isUnreachableAddress, parseIPv4Strict, parseIPv6Strict } from '../vl/address.js';
import {
  MAX_VL_ADDRESSES,
  MAX_VL_SERVERS,
  VL_PORT,
  type VlAddress,
  type VlServerList,
  type VlSource,
  type VlStatus,
} from '../vl/types.js';
import { buildVlServerList, emptyVlServerList, type VlServerInput } from '../vl/vl-list.js';
import { AFSDB_SUBTYPE_AFS3_VLDB, isAfsdbResource } from './afsdb-codec.js';
import type { VlLookupResult, VlResolver } from './resolver.js';
import { linkSignals } from './signals.js';
import {
  DNS_TYPE_CODE,
  DnsQueryError,
  DnsTransport,
  RCODE,
  type DnsMessage,
  type DnsQueryType,
  type DnsTransportOptions,
} from './transport.js';

/** The SRV service label of the AFS VL service (RFC 5864 §3). */
export const AFS_VL_SRV_PREFIX = '_afs3-vlserver._udp.';
/** Most CNAME links followed for one query. */
export const MAX_CNAME_DEPTH = 8;

export type WarnFn = (message: string) => void;

export interface DnsVlResolverOptions {
  /** Bound on one whole lookup; default 3 × the transport's query bound. */
  readonly lookupTimeoutMs?: number;
}

/** What asking for one RRset (following CNAMEs) came to. */
type Fetched =
  | { readonly kind: 'records'; readonly records: readonly dns2.Packet.Resource[]; readonly chainTtl: number }
  | { readonly kind: 'nxdomain' }
  | { readonly kind: 'nodata' }
  | { readonly kind: 'failure'; readonly status: VlStatus; readonly reason: string };

interface Target {
  readonly name: string;
  readonly priority: number;
  readonly weight: number;
  readonly port: number;
  /** TTL of the SRV/AFSDB record (and CNAMEs) that named this target. */
  readonly ttl: number;
}

interface FoundAddress {
  readonly family: 4 | 6;
  readonly address: string;
  ttl: number;
}

/** The reason a lookup's own time bound aborts with. */
class LookupTimeout extends Error {
  constructor(ms: number) {
    super(`lookup did not finish within ${ms} ms`);
    this.name = 'LookupTimeout';
  }
}

/** Host name check for SRV/AFSDB targets: LDH-ish printable labels, no empties. */
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

function isUsableHostName(name: string): boolean {
  return name.length > 0 && name.length <= 253 && name.split('.').every((l) => LABEL.test(l));
}

function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function result(source: VlSource, status: VlStatus): VlLookupResult {
  return { list: emptyVlServerList(source, status) };
}

/** Which of two failure statuses to report: the more informative one. */
const FAILURE_RANK: Record<string, number> = { 'temp-failure': 3, bad: 2, 'local-failure': 1 };

export class DnsVlResolver implements VlResolver {
  readonly transport: DnsTransport;
  readonly lookupTimeoutMs: number;
  readonly #warn: WarnFn;
  readonly #ownsTransport: boolean;
  readonly #closer = new AbortController();
  readonly #running = new Set<Promise<unknown>>();

  /**
   * @param transport a transport to share, or the options to build one (then
   *   owned, and closed by close()).
   * @param warn where dropped servers/addresses are reported.
   */
  constructor(transport: DnsTransport | DnsTransportOptions, warn?: WarnFn, options: DnsVlResolverOptions = {}) {
    if (transport instanceof DnsTransport) {
      this.transport = transport;
      this.#ownsTransport = false;
    } else {
      this.transport = new DnsTransport(transport);
      this.#ownsTransport = true;
    }
    this.#warn = warn ?? (() => undefined);
    // Every lookup in progress listens on this signal: no listener limit.
    setMaxListeners(0, this.#closer.signal);
    const bound = options.lookupTimeoutMs ?? this.transport.queryBoundMs * 3;
    if (!Number.isFinite(bound) || bound <= 0) {
      throw new AfsError('EINVAL', `DNS resolver: lookupTimeoutMs must be positive, got ${bound}`);
    }
    this.lookupTimeoutMs = bound;
  }

  async lookup(cellName: string, signal: AbortSignal): Promise<VlLookupResult> {
    if (signal.aborted) throw signal.reason;
    if (this.#closer.signal.aborted) throw this.#closer.signal.reason;
    const name = cellName.toLowerCase();
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new LookupTimeout(this.lookupTimeoutMs)), this.lookupTimeoutMs);
    const linked = linkSignals(signal, this.#closer.signal, timeout.signal);
    const work = this.#resolve(name, linked.signal);
    this.#running.add(work);
    try {
      return await work;
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      if (this.#closer.signal.aborted) throw this.#closer.signal.reason;
      if (timeout.signal.aborted) {
        this.#warn(`cell ${name}: DNS lookup gave up after ${this.lookupTimeoutMs} ms`);
        return result('unav', 'temp-failure');
      }
      // Not a DNS outcome: a bug.  Report it rather than leave the cell hanging.
      this.#warn(`cell ${name}: DNS lookup failed: ${err instanceof Error ? err.message : String(err)}`);
      return result('unav', 'local-failure');
    } finally {
      clearTimeout(timer);
      linked.dispose();
      this.#running.delete(work);
    }
  }

  /** Aborts lookups in progress (they reject with ESHUTDOWN) and closes an owned transport. */
  async close(): Promise<void> {
    if (!this.#closer.signal.aborted) {
      this.#closer.abort(new AfsError('ESHUTDOWN', 'DNS resolver closed'));
    }
    await Promise.allSettled([...this.#running]);
    if (this.#ownsTransport) await this.transport.close();
  }

  async #resolve(cell: string, signal: AbortSignal): Promise<VlLookupResult> {
    // 1. SRV.
    const srv = await this.#fetch(AFS_VL_SRV_PREFIX + cell, 'SRV', signal);
    // A name too long to carry the SRV prefix can still have an AFSDB record.
    const srvUnaskable = srv.kind === 'failure' && srv.status === 'local-failure';
    if (srv.kind === 'failure' && !srvUnaskable) return this.#failed(cell, 'SRV', srv);
    let source: VlSource;
    let targets: Target[];
    if (srv.kind === 'records') {
      source = 'SRV';
      targets = this.#srvTargets(cell, srv);
      if (targets.length === 0) {
        const usable = srv.records.some((r) => r.target !== undefined && r.target !== '' && r.target !== '.');
        return result('SRV', usable ? 'bad' : 'not-found');
      }
    } else {
      // 2. AFSDB, only when SRV said NXDOMAIN or NODATA.
      const afsdb = await this.#fetch(cell, 'AFSDB', signal);
      if (afsdb.kind === 'failure') return this.#failed(cell, 'AFSDB', afsdb);
      if (afsdb.kind !== 'records') return result('unav', 'not-found');
      targets = this.#afsdbTargets(cell, afsdb);
      if (targets.length === 0) {
        const vl = afsdb.records.filter((r) => isAfsdbResource(r) && r.subtype === AFSDB_SUBTYPE_AFS3_VLDB);
        return vl.length > 0 ? result('AFSDB', 'bad') : result('unav', 'not-found');
      }
      source = 'AFSDB';
    }

    targets = this.#mergeAndCap(cell, targets);

    // 3. A and AAAA for every target, all at once (the transport bounds it).
    const resolved = await Promise.all(targets.map((t) => this.#resolveTarget(cell, t, signal)));

    const servers: VlServerInput[] = [];
    let ttl = Number.POSITIVE_INFINITY;
    let worst: VlStatus | undefined;
    for (const r of resolved) {
      if (r.server) {
        servers.push(r.server);
        ttl = Math.min(ttl, r.ttl);
      } else if (r.failure && (worst === undefined || (FAILURE_RANK[r.failure] ?? 0) > (FAILURE_RANK[worst] ?? 0))) {
        worst = r.failure;
      }
    }
    if (servers.length === 0) return result(source, worst ?? 'not-found');
    const list: VlServerList = buildVlServerList(source, 'good', servers, (m) => this.#warn(`cell ${cell}: ${m}`));
    return { list, ttl };
  }

  #failed(cell: string, what: string, f: Extract<Fetched, { kind: 'failure' }>): VlLookupResult {
    if (f.status === 'bad' || f.status === 'local-failure') this.#warn(`cell ${cell}: ${what} lookup: ${f.reason}`);
    return result('unav', f.status);
  }

  #srvTargets(cell: string, srv: Extract<Fetched, { kind: 'records' }>): Target[] {
    const targets: Target[] = [];
    for (const r of srv.records) {
      if (r.target === undefined || r.priority === undefined || r.weight === undefined || r.port === undefined) continue;
      const host = r.target.toLowerCase().replace(/\.$/, '');
      if (host === '') continue; // "." : no service at this record
      if (!isUsableHostName(host)) {
        this.#warn(`cell ${cell}: SRV target ${JSON.stringify(r.target)} is not a host name; ignored`);
        continue;
      }
      if (r.port === 0) {
        this.#warn(`cell ${cell}: SRV record for ${host} has port 0; ignored`);
        continue;
      }
      targets.push({ name: host, priority: r.priority, weight: r.weight, port: r.port, ttl: Math.min(r.ttl, srv.chainTtl) });
    }
    return targets;
  }

  #afsdbTargets(cell: string, afsdb: Extract<Fetched, { kind: 'records' }>): Target[] {
    const targets: Target[] = [];
    for (const r of afsdb.records) {
      if (!isAfsdbResource(r) || r.subtype !== AFSDB_SUBTYPE_AFS3_VLDB) continue;
      const host = r.hostname.toLowerCase().replace(/\.$/, '');
      if (!isUsableHostName(host)) {
        this.#warn(`cell ${cell}: AFSDB host ${JSON.stringify(r.hostname)} is not a host name; ignored`);
        continue;
      }
      targets.push({ name: host, priority: 0, weight: 0, port: VL_PORT, ttl: Math.min(r.ttl, afsdb.chainTtl) });
    }
    return targets;
  }

  /** One target per host name (the most preferred record wins), sorted, at most MAX_VL_SERVERS. */
  #mergeAndCap(cell: string, targets: Target[]): Target[] {
    const better = (a: Target, b: Target): number =>
      a.priority - b.priority || b.weight - a.weight || a.port - b.port || a.ttl - b.ttl;
    const byName = new Map<string, Target>();
    for (const t of targets) {
      const had = byName.get(t.name);
      if (!had || better(t, had) < 0) byName.set(t.name, t);
    }
    const merged = [...byName.values()].sort(
      (a, b) => a.priority - b.priority || b.weight - a.weight || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
    );
    if (merged.length <= MAX_VL_SERVERS) return merged;
    const dropped = merged.slice(MAX_VL_SERVERS).map((t) => t.name);
    this.#warn(
      `cell ${cell}: ${merged.length} VL servers in DNS, keeping ${MAX_VL_SERVERS}; dropped ` +
        `${dropped.slice(0, 5).join(', ')}${dropped.length > 5 ? ` and ${dropped.length - 5} more` : ''}`,
    );
    return merged.slice(0, MAX_VL_SERVERS);
  }

  async #resolveTarget(
    cell: string,
    target: Target,
    signal: AbortSignal,
  ): Promise<{ server?: VlServerInput; ttl: number; failure?: VlStatus }> {
    const [a, aaaa] = await Promise.all([
      this.#fetch(target.name, 'A', signal),
      this.#fetch(target.name, 'AAAA', signal),
    ]);
    const found = new Map<string, FoundAddress>();
    let failure: VlStatus | undefined;
    const dropped: string[] = [];
    for (const [fetched, family] of [
      [a, 4],
      [aaaa, 6],
    ] as const) {
      if (fetched.kind === 'failure') {
        if (failure === undefined || (FAILURE_RANK[fetched.status] ?? 0) > (FAILURE_RANK[failure] ?? 0)) {
          failure = fetched.status;
        }
        if (fetched.status !== 'temp-failure') this.#warn(`cell ${cell}: ${target.name}: ${fetched.reason}`);
        continue;
      }
      if (fetched.kind !== 'records') continue;
      for (const r of fetched.records) {
        if (typeof r.address !== 'string') continue;
        const address = family === 4 ? parseIPv4Strict(r.address) : parseIPv6Strict(r.address);
        if (address === null) continue;
        if (isUnreachableAddress({ family, address })) {
          dropped.push(address);
          continue;
        }
        const ttl = Math.min(r.ttl, fetched.chainTtl);
        const key = `${family}/${address}`;
        const had = found.get(key);
        if (had) had.ttl = Math.min(had.ttl, ttl);
        else found.set(key, { family, address, ttl });
      }
    }
    if (dropped.length > 0) {
      this.#warn(`cell ${cell}: ${target.name}: dropped loopback/unspecified/multicast address(es) ${dropped.join(', ')}`);
    }
    let addresses = [...found.values()].sort((x, y) =>
      compareAddresses({ ...x, port: target.port }, { ...y, port: target.port }),
    );
    if (addresses.length > MAX_VL_ADDRESSES) {
      this.#warn(
        `cell ${cell}: VL server ${target.name}: ${addresses.length} addresses, keeping ${MAX_VL_ADDRESSES}`,
      );
      addresses = addresses.slice(0, MAX_VL_ADDRESSES);
    }
    if (addresses.length === 0) return { ttl: Number.POSITIVE_INFINITY, failure };
    let ttl = target.ttl;
    for (const x of addresses) ttl = Math.min(ttl, x.ttl);
    const vlAddresses: VlAddress[] = addresses.map((x) => ({ family: x.family, address: x.address, port: target.port }));
    return {
      ttl,
      server: {
        name: target.name,
        priority: target.priority,
        weight: target.weight,
        port: target.port,
        addresses: vlAddresses,
      },
    };
  }

  /**
   * Asks for one RRset, following CNAMEs: first those in the answer itself,
   * then by asking again for the end of the chain.
   */
  async #fetch(name: string, type: DnsQueryType, signal: AbortSignal): Promise<Fetched> {
    const code = DNS_TYPE_CODE[type];
    const seen = new Set<string>([name.toLowerCase()]);
    let current = name;
    let chainTtl = Number.POSITIVE_INFINITY;
    let links = 0;
    for (;;) {
      let answer: DnsMessage;
      try {
        answer = await this.transport.query(current, type, signal);
      } catch (err) {
        if (err instanceof DnsQueryError) return { kind: 'failure', status: err.kind, reason: err.message };
        throw err;
      }
      const rcode = answer.header.rcode;
      if (rcode === RCODE.NXDOMAIN) return { kind: 'nxdomain' };
      if (rcode !== RCODE.NOERROR) {
        return { kind: 'failure', status: 'temp-failure', reason: `${type} ${current}: rcode ${rcode}` };
      }
      const broken = answer.errors.find((e) => e.section === 'answers');
      if (broken) {
        return { kind: 'failure', status: 'bad', reason: `${type} ${current}: malformed answer: ${broken.message}` };
      }
      const answers = answer.answers.filter((r) => r.class === 1);
      let owner = current;
      for (;;) {
        const records = answers.filter((r) => r.type === code && sameName(r.name, owner));
        if (records.length > 0) return { kind: 'records', records, chainTtl };
        const cname = answers.find((r) => r.type === DNS_TYPE_CODE.CNAME && sameName(r.name, owner));
        if (!cname) break;
        if (typeof cname.domain !== 'string' || cname.domain === '') {
          return { kind: 'failure', status: 'bad', reason: `${type} ${current}: CNAME of ${owner} has no target` };
        }
        const next = cname.domain.toLowerCase().replace(/\.$/, '');
        if (seen.has(next)) {
          return { kind: 'failure', status: 'bad', reason: `${type} ${name}: CNAME loop at ${next}` };
        }
        if (++links > MAX_CNAME_DEPTH) {
          return { kind: 'failure', status: 'bad', reason: `${type} ${name}: more than ${MAX_CNAME_DEPTH} CNAMEs` };
        }
        seen.add(next);
        chainTtl = Math.min(chainTtl, cname.ttl);
        owner = next;
      }
      if (owner === current) return { kind: 'nodata' };
      // The chain left the answer's data: ask for its end.
      current = owner;
    }
  }
}
