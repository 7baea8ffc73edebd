import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseDnsServer, type DnsServerAddress } from './dns/server-address.js';
import { AfsError } from './errors.js';

/** Everything the command line can set (SPEC §1), with defaults applied. */
export interface Options {
  /** CellServDB files to load, in order (later definitions win). */
  cellservdb: string[];
  /** True: resolve cells through DNS (system resolver unless dnsServers is set). */
  dns: boolean;
  /** Explicit DNS servers (from `HOST[:PORT]` or `[IPv6]:PORT`). */
  dnsServers: DnsServerAddress[];
  rootcell: string | null;
  preload: boolean;
  gcDelayMs: number;
  minTtlMs: number;
  maxTtlMs: number;
  dnsTimeoutMs: number;
  cacheDir: string;
  allowOther: boolean;
  debug: boolean;
}

export const DEFAULT_SYSTEM_CELLSERVDB = '/etc/openafs/CellServDB';
export const DEFAULT_THISCELL = '/etc/openafs/ThisCell';
export const DEFAULT_CACHE_DIR = '/var/cache/afs-cellfs';

const OPTION_SPEC = {
  cellservdb: { type: 'string', multiple: true },
  'no-cellservdb': { type: 'boolean' },
  dns: { type: 'boolean' },
  'dns-server': { type: 'string', multiple: true },
  rootcell: { type: 'string' },
  preload: { type: 'boolean' },
  'gc-delay': { type: 'string' },
  'min-ttl': { type: 'string' },
  'max-ttl': { type: 'string' },
  'dns-timeout': { type: 'string' },
  'cache-dir': { type: 'string' },
  'allow-other': { type: 'boolean' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const;

export interface ParsedCommandLine {
  positionals: string[];
  options: Options;
  help: boolean;
  version: boolean;
}

/**
 * Parses argv (without node and script) into positionals and Options.
 * `bundledCellServDB` is the fallback when /etc/openafs/CellServDB is absent.
 *
 * @throws AfsError EINVAL naming the bad option.
 */
export function parseCommandLine(argv: string[], bundledCellServDB: string): ParsedCommandLine {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTION_SPEC, allowPositionals: true, strict: true });
  } catch (err) {
    const message = (err as Error).message;
    // `--gc-delay -1` reads as two options to parseArgs: say what was meant.
    const hint = /ambiguous/.test(message) ? ' (a value starting with "-" must be written --option=value)' : '';
    throw new AfsError('EINVAL', message.split('\n')[0] + hint);
  }
  const v = parsed.values;
  if (v['no-cellservdb'] && v.cellservdb) {
    throw new AfsError('EINVAL', '--no-cellservdb and --cellservdb exclude each other');
  }
  const cellservdb = v['no-cellservdb']
    ? []
    : (v.cellservdb ?? [existsSync(DEFAULT_SYSTEM_CELLSERVDB) ? DEFAULT_SYSTEM_CELLSERVDB : bundledCellServDB]);
  const dnsServers = (v['dns-server'] ?? []).map(parseDnsServer);
  const minTtlMs = seconds('--min-ttl', v['min-ttl'], 600);
  // A zero clamp would let TTL-0 records refresh in a loop (SPEC §9).
  if (minTtlMs < 1000) throw new AfsError('EINVAL', '--min-ttl must be at least 1 second');
  const maxTtlMs = seconds('--max-ttl', v['max-ttl'], 86_400);
  if (minTtlMs > maxTtlMs) throw new AfsError('EINVAL', '--min-ttl must not exceed --max-ttl');
  const isRoot = process.getuid?.() === 0;
  const options: Options = {
    cellservdb,
    dns: Boolean(v.dns) || dnsServers.length > 0,
    dnsServers,
    rootcell: v.rootcell ?? readThisCell(),
    preload: Boolean(v.preload),
    gcDelayMs: seconds('--gc-delay', v['gc-delay'], 10),
    minTtlMs,
    maxTtlMs,
    dnsTimeoutMs: milliseconds('--dns-timeout', v['dns-timeout'], 2000, 60_000),
    cacheDir: v['cache-dir'] ?? DEFAULT_CACHE_DIR,
    allowOther: Boolean(v['allow-other']) || isRoot,
    debug: Boolean(v.debug),
  };
  return { positionals: parsed.positionals, options, help: Boolean(v.help), version: Boolean(v.version) };
}

/** A non-negative number of seconds, returned in ms. */
function seconds(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback * 1000;
  if (!/^\d+(\.\d+)?$/.test(text)) {
    throw new AfsError('EINVAL', `${name} expects a number of seconds >= 0 (like 10 or 0.5), got '${text}'`);
  }
  return Math.round(Number(text) * 1000);
}

/** A whole number of milliseconds from 1 to `max`. */
function milliseconds(name: string, text: string | undefined, fallback: number, max: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > max) {
    throw new AfsError('EINVAL', `${name} expects a whole number of milliseconds from 1 to ${max}, got '${text}'`);
  }
  return n;
}

/** The first word of /etc/openafs/ThisCell, as OpenAFS reads it; null if absent. */
function readThisCell(): string | null {
  try {
    const word = readFileSync(DEFAULT_THISCELL, 'latin1').trim().split(/\s+/)[0];
    return word ? word : null;
  } catch {
    return null;
  }
}

export const USAGE = `Usage:
  afs-cellfs mount <mountpoint> [options]   serve the cell database over FUSE (foreground;
                                            SIGINT/SIGTERM unmount cleanly)
  afs-cellfs lookup <cell> [options]        resolve one cell and print its vlservers text
  afs-cellfs --help | --version

Options:
  --cellservdb FILE      static cells in CellServDB format (repeatable; later files win)
                         default: ${DEFAULT_SYSTEM_CELLSERVDB} if present, else the bundled copy
  --no-cellservdb        no static cells
  --dns                  resolve other cells with the system resolver (/etc/resolv.conf)
  --dns-server HOST[:PORT]
                         resolve other cells with this DNS server (repeatable; implies
                         --dns; IPv6 as [::1]:5300)
  --rootcell NAME[:ADDRS]
                         workstation cell at start (same grammar as /rootcell)
                         default: first word of ${DEFAULT_THISCELL}, if present
  --preload              pin every CellServDB cell at start
  --gc-delay S           grace before an unused cell is destroyed (default 10)
  --min-ttl S            lower clamp on DNS expiry (default 600, at least 1)
  --max-ttl S            upper clamp on DNS expiry (default 86400)
  --dns-timeout MS       per DNS query try, 2 tries (default 2000, at most 60000)
  --cache-dir DIR        where each cell's last good VL list is kept
                         (default ${DEFAULT_CACHE_DIR})
  --allow-other          let other users read the mount (default: on when run as root)
  --debug                log every cell lifecycle transition to stderr
`;
