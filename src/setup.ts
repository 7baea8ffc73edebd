import { readFileSync } from 'node:fs';
import { CellCache } from './cell/cache.js';
import { CellDatabase } from './cell/database.js';
import { loadCellServDBFiles, type StaticCellTable } from './config/cellservdb.js';
import { DnsVlResolver } from './dns/dns-resolver.js';
import type { VlResolver } from './dns/resolver.js';
import { parseResolvConf, type DnsServerAddress } from './dns/server-address.js';
import { AfsError } from './errors.js';
import { debug, warn } from './log.js';
import type { Options } from './options.js';
import { Stats } from './stats.js';
import { formatTraceEvent, Trace } from './trace.js';

/** A database built from Options, with the static table it was given. */
export interface Setup {
  readonly db: CellDatabase;
  readonly staticCells: StaticCellTable;
}

/**
 * Builds the cell database the command line asks for: static cells from the
 * CellServDB files, a resolver (none, explicit servers, or the system's),
 * timings, and the trace (printed live with --debug).
 */
export function createDatabase(options: Options): Setup {
  const staticCells = loadCellServDBFiles(options.cellservdb, warn);
  const stats = new Stats();
  const db = new CellDatabase({
    resolver: createResolver(options, stats),
    stats,
    staticCells,
    gcDelayMs: options.gcDelayMs,
    minTtlMs: options.minTtlMs,
    maxTtlMs: options.maxTtlMs,
    trace: new Trace(4096, options.debug ? (event) => debug(formatTraceEvent(event)) : null),
    cache: new CellCache(options.cacheDir, warn),
    warn,
  });
  return { db, staticCells };
}

function createResolver(options: Options, stats: Stats): VlResolver | null {
  if (!options.dns) return null;
  const servers = options.dnsServers.length > 0 ? options.dnsServers : systemDnsServers();
  const onQuery = (type: string, result: string): void => stats.countDnsQuery(type, result);
  return new DnsVlResolver({ servers, timeoutMs: options.dnsTimeoutMs, onQuery }, warn);
}

/** The `nameserver` lines of /etc/resolv.conf (for --dns without --dns-server). */
function systemDnsServers(): DnsServerAddress[] {
  let text: string;
  try {
    text = readFileSync('/etc/resolv.conf', 'utf8');
  } catch (err) {
    throw new AfsError('EINVAL', `--dns: cannot read /etc/resolv.conf: ${(err as Error).message}`);
  }
  const servers = parseResolvConf(text);
  if (servers.length === 0) throw new AfsError('EINVAL', '--dns: /etc/resolv.conf names no usable nameserver');
  return servers;
}
