/**
 * The shapes of a cell's VL (volume location) server list, as the kernel's
 * vl_list.c keeps them: a list-level source and status, then servers ordered
 * by priority and weight, each holding its addresses.
 *
 * Every value here is immutable once built: a refresh builds a new list and
 * swaps it in, so a reader that took a list never sees it change.
 */

/** Where a list came from (the kernel's dns_record_source, as printed). */
export type VlSource = 'unav' | 'cfg' | 'A' | 'AFSDB' | 'SRV';

/** How the lookup that produced a list went (dns_lookup_status, as printed). */
export type VlStatus =
  | 'no-lookup'
  | 'good'
  | 'good/bad'
  | 'bad'
  | 'not-found'
  | 'local-failure'
  | 'temp-failure'
  | 'ns-failure';

export const VL_PORT = 7003;
/** At most this many servers per cell; more are dropped with a warning. */
export const MAX_VL_SERVERS = 255;
/** At most this many addresses per server; more are dropped with a warning. */
export const MAX_VL_ADDRESSES = 64;

export interface VlAddress {
  readonly family: 4 | 6;
  /** Canonical text: dotted quad, or RFC 5952 IPv6 without brackets. */
  readonly address: string;
  readonly port: number;
}

export interface VlServer {
  /** Host name (lower-cased), or `<dummy>` for a list given as bare addresses. */
  readonly name: string;
  readonly priority: number;
  readonly weight: number;
  readonly port: number;
  readonly source: VlSource;
  readonly status: VlStatus;
  /** IPv4 first, then IPv6; no duplicates. */
  readonly addresses: readonly VlAddress[];
}

export interface VlServerList {
  readonly source: VlSource;
  readonly status: VlStatus;
  /** Sorted: priority ascending, weight descending, then name. */
  readonly servers: readonly VlServer[];
}
