/**
 * Building VL server lists in their one canonical shape, and printing them
 * in the kernel's `vlservers` format (SPEC §5).
 *
 * Every list a cell publishes goes through buildVlServerList, so the
 * ordering, de-duplication and limits of SPEC §4/§5 are applied in one
 * place whatever the source (CellServDB, /rootcell, DNS).
 */
import { addressKey, compareAddresses, formatAddressWithPort } from './address.js';
import {
  MAX_VL_ADDRESSES,
  MAX_VL_SERVERS,
  VL_PORT,
  type VlAddress,
  type VlServer,
  type VlServerList,
  type VlSource,
  type VlStatus,
} from './types.js';

/** One server as a source produced it, before merging, sorting and capping. */
export interface VlServerInput {
  name: string;
  /** Default 0 (CellServDB and AFSDB have none). */
  priority?: number;
  /** Default 0. */
  weight?: number;
  /** Default VL_PORT. */
  port?: number;
  addresses: VlAddress[];
}

/** Name of the single server of a list given as bare addresses (as the kernel prints it). */
export const DUMMY_SERVER_NAME = '<dummy>';

/** How many dropped names a warning lists before summarising the rest. */
const WARN_NAMES = 5;

function listForWarning(items: string[]): string {
  const shown = items.slice(0, WARN_NAMES).join(', ');
  return items.length > WARN_NAMES ? `${shown} and ${items.length - WARN_NAMES} more` : shown;
}

/** Byte-order string comparison: locale-independent, so the order is the same everywhere. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Server order of SPEC §5: priority ascending, weight descending, name, then port. */
function compareServers(a: VlServer, b: VlServer): number {
  return a.priority - b.priority || b.weight - a.weight || compareText(a.name, b.name) || a.port - b.port;
}

function freezeAddress(a: VlAddress): VlAddress {
  return Object.freeze({ family: a.family, address: a.address, port: a.port });
}

/**
 * Builds an immutable list from raw servers.
 *
 * Returns a deeply frozen list whose servers carry the list's `source` and
 * status `good` (we do not probe servers, so a server has no state of its
 * own; SPEC §10).  Never throws.
 *
 *   - Names are lower-cased; servers of the same name (case-insensitive)
 *     and port are merged into one, keeping the priority and weight of the
 *     first and the union of the addresses.
 *   - Addresses are de-duplicated (address + port) and sorted by
 *     compareAddresses (IPv4 first, then numeric).  Sorting before capping
 *     makes the kept set independent of the order a DNS server happened to
 *     return, so round-robin answers do not churn the published list.
 *   - At most MAX_VL_ADDRESSES addresses per server and MAX_VL_SERVERS
 *     servers (the least preferred are dropped); each cut is reported
 *     through `warn`, naming what was dropped.
 *   - A server with no addresses is kept: its name is still information
 *     (e.g. a host that did not resolve), and it is printed with no address
 *     lines.  hasServers() tells whether any address is usable.
 */
export function buildVlServerList(
  source: VlSource,
  status: VlStatus,
  servers: VlServerInput[],
  warn?: (msg: string) => void,
): VlServerList {
  interface Pending {
    name: string;
    priority: number;
    weight: number;
    port: number;
    addresses: Map<string, VlAddress>;
  }
  const merged = new Map<string, Pending>();
  for (const s of servers) {
    const name = s.name.toLowerCase();
    const port = s.port ?? VL_PORT;
    const key = `${name}\0${port}`;
    let p = merged.get(key);
    if (!p) {
      p = { name, priority: s.priority ?? 0, weight: s.weight ?? 0, port, addresses: new Map() };
      merged.set(key, p);
    }
    for (const a of s.addresses) {
      const k = addressKey(a);
      if (!p.addresses.has(k)) p.addresses.set(k, a);
    }
  }

  const built: VlServer[] = [];
  for (const p of merged.values()) {
    let addresses = [...p.addresses.values()].sort(compareAddresses);
    if (addresses.length > MAX_VL_ADDRESSES) {
      const dropped = addresses.slice(MAX_VL_ADDRESSES).map(formatAddressWithPort);
      warn?.(
        `VL server ${p.name}: ${addresses.length} addresses, keeping ${MAX_VL_ADDRESSES}; ` +
          `dropped ${listForWarning(dropped)}`,
      );
      addresses = addresses.slice(0, MAX_VL_ADDRESSES);
    }
    built.push(
      Object.freeze({
        name: p.name,
        priority: p.priority,
        weight: p.weight,
        port: p.port,
        source,
        status: 'good' as VlStatus,
        addresses: Object.freeze(addresses.map(freezeAddress)),
      }),
    );
  }

  built.sort(compareServers);
  let kept = built;
  if (built.length > MAX_VL_SERVERS) {
    const dropped = built.slice(MAX_VL_SERVERS).map((s) => s.name);
    warn?.(`${built.length} VL servers, keeping ${MAX_VL_SERVERS}; dropped ${listForWarning(dropped)}`);
    kept = built.slice(0, MAX_VL_SERVERS);
  }
  return Object.freeze({ source, status, servers: Object.freeze(kept) });
}

/**
 * The list for addresses given without host names (/rootcell, --rootcell):
 * source `cfg`, status `good`, one server `<dummy>` (p=0 w=0, port
 * VL_PORT) holding the addresses, de-duplicated and sorted as usual.
 */
export function dummyVlServerList(addresses: VlAddress[]): VlServerList {
  return buildVlServerList('cfg', 'good', [
    { name: DUMMY_SERVER_NAME, priority: 0, weight: 0, port: VL_PORT, addresses },
  ]);
}

/** A frozen list with no servers; by default "unavailable, not looked up yet". */
export function emptyVlServerList(source: VlSource = 'unav', status: VlStatus = 'no-lookup'): VlServerList {
  return Object.freeze({ source, status, servers: Object.freeze([]) });
}

/** Total number of addresses over all servers of the list. */
export function countAddresses(list: VlServerList): number {
  let n = 0;
  for (const s of list.servers) n += s.addresses.length;
  return n;
}

/**
 * True if the list can be used to reach a VL server, i.e. at least one
 * server has at least one address (servers without addresses do not count).
 */
export function hasServers(list: VlServerList): boolean {
  return list.servers.some((s) => s.addresses.length > 0);
}

/** What the last failed background refresh said, for the extra header line. */
export interface LastRefresh {
  status: VlStatus;
  retryInSeconds: number;
}

/** Comment lines shown under the header, each only when present. */
export interface VlNotes {
  /** The list came from the on-disk cache, saved at this time, and has not been refreshed yet. */
  cachedAt?: Date;
  /** A background refresh failed and the list shown is the older one. */
  lastRefresh?: LastRefresh;
}

/**
 * Renders the `vlservers` file text exactly as SPEC §5 shows it:
 *
 *   # source SRV, status good
 *   # cached list from 2026-12-03T17:00:00.000Z    (only with cachedAt)
 *   # last refresh: temp-failure, retry in 10s     (only with lastRefresh)
 *   vl1.example.org [p=10 w=50 s=SRV,good]:
 *    > 192.0.2.11:7003
 *    - [2001:db8::11]:7003
 *
 * `>` marks the preferred address: the first IPv6 one if any, else the
 * first.  The retry time is printed in whole seconds, rounded up (so a
 * pending retry never shows as 0s) and never negative.  Never throws.
 */
export function renderVlservers(list: VlServerList, notes: VlNotes = {}): string {
  let out = `# source ${list.source}, status ${list.status}\n`;
  const { cachedAt, lastRefresh } = notes;
  if (cachedAt) out += `# cached list from ${cachedAt.toISOString()}\n`;
  if (lastRefresh) {
    const raw = Math.ceil(lastRefresh.retryInSeconds);
    const secs = Number.isFinite(raw) && raw > 0 ? raw : 0;
    out += `# last refresh: ${lastRefresh.status}, retry in ${secs}s\n`;
  }
  for (const s of list.servers) {
    out += `${s.name} [p=${s.priority} w=${s.weight} s=${s.source},${s.status}]:\n`;
    const v6 = s.addresses.findIndex((a) => a.family === 6);
    const preferred = v6 >= 0 ? v6 : 0;
    s.addresses.forEach((a, i) => {
      out += ` ${i === preferred ? '>' : '-'} ${formatAddressWithPort(a)}\n`;
    });
  }
  return out;
}
