import { constants } from 'node:fs';
import { mkdir, open, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseIPv4Strict, parseIPv6Strict } from '../vl/address.js';
import { buildVlServerList } from '../vl/vl-list.js';
import type { VlAddress, VlServerList, VlSource } from '../vl/types.js';

/** Written into every entry, so a foreign or older file is recognised and ignored. */
const FORMAT = 'afs-cellfs-vl-cache/1';
const DNS_SOURCES: readonly VlSource[] = ['SRV', 'AFSDB', 'A'];

/** A list read back from the cache, and when it was saved (wall-clock ms). */
export interface CachedList {
  readonly list: VlServerList;
  readonly savedAt: number;
}

/** What the database needs of a cell's cache entry. */
export interface CellCacheEntry {
  readonly name: string;
  load(): Promise<CachedList | null>;
  store(list: VlServerList, savedAt: number): Promise<void>;
  /** Resolves when every write started so far has landed. */
  flush(): Promise<void>;
}

/** What the database needs of the cache: one holder per cell name. */
export interface CellCacheStore {
  /** Takes the entry of `name`; throws if it is already held. */
  acquire(name: string): CellCacheEntry;
  /** Gives back an entry whose writes have landed. */
  release(entry: CellCacheEntry): void;
}

/**
 * One cell's entry in the cache directory (the seed's FS-Cache cookie).  It
 * is held from the cell's activation to its deactivation, and at most one
 * holder of a name may exist at a time: that is what stops an old and a new
 * record of one cell from both writing its file.
 */
export class CacheEntry implements CellCacheEntry {
  readonly name: string;
  readonly #file: string | null;
  readonly #dirReady: () => Promise<boolean>;
  readonly #warn: (message: string) => void;
  /** Writes are chained so they land in order and release can wait for them. */
  #writes: Promise<void> = Promise.resolve();
  #pending = 0;

  constructor(name: string, file: string | null, dirReady: () => Promise<boolean>, warn: (message: string) => void) {
    this.name = name;
    this.#file = file;
    this.#dirReady = dirReady;
    this.#warn = warn;
  }

  /** The cached list, or null when there is none or it cannot be trusted (with a warning). */
  async load(): Promise<CachedList | null> {
    if (!this.#file || !(await this.#dirReady())) return null;
    let text: string;
    try {
      text = await readRegularFile(this.#file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.#warn(`cache ${this.#file}: cannot read: ${(err as Error).message}`);
      }
      return null;
    }
    const cached = decodeEntry(text, this.name);
    if (!cached) this.#warn(`cache ${this.#file}: not a valid entry for cell ${this.name}; ignored`);
    return cached;
  }

  /** Saves `list` atomically (temp file + rename); failures only warn. */
  store(list: VlServerList, savedAt: number): Promise<void> {
    const file = this.#file;
    if (!file) return Promise.resolve();
    const body = JSON.stringify({ format: FORMAT, cell: this.name, savedAt, list }) + '\n';
    this.#pending++;
    this.#writes = this.#writes.then(async () => {
      const temp = `${file}.${process.pid}.tmp`;
      try {
        if (!(await this.#dirReady())) return; // warned once already
        await writeFile(temp, body, { mode: 0o644 });
        await rename(temp, file);
      } catch (err) {
        this.#warn(`cache ${file}: cannot write: ${(err as Error).message}`);
        await unlink(temp).catch(() => {});
      } finally {
        this.#pending--;
      }
    });
    return this.#writes;
  }

  /** Writes queued and not yet landed. */
  get pendingWrites(): number {
    return this.#pending;
  }

  /** Resolves when every write started so far has landed. */
  flush(): Promise<void> {
    return this.#writes;
  }
}

/**
 * The cache directory and the set of entries held now.  With no directory
 * (or one that cannot be created) entries still exist, so the one-holder
 * rule is enforced either way, but nothing is read or written.
 */
export class CellCache implements CellCacheStore {
  readonly #dir: string | null;
  readonly #warn: (message: string) => void;
  readonly #held = new Map<string, CacheEntry>();
  #ready: Promise<boolean> | null = null;

  constructor(dir: string | null, warn: (message: string) => void = () => {}) {
    this.#dir = dir;
    this.#warn = warn;
  }

  /** Names whose entries are held now. */
  heldNames(): string[] {
    return [...this.#held.keys()];
  }

  /**
   * Takes the entry of `name`.  Taking one that is already held is a bug in
   * the lifecycle (two live records of one cell) and throws.  Synchronous,
   * so no other activation can slip in between the check and the claim.
   */
  acquire(name: string): CacheEntry {
    if (this.#held.has(name)) throw new Error(`BUG: cache entry of cell ${name} acquired twice`);
    const file = this.#dir ? path.join(this.#dir, `${name}.vl.json`) : null;
    const entry = new CacheEntry(name, file, () => this.#ensureDir(), this.#warn);
    this.#held.set(name, entry);
    return entry;
  }

  /**
   * Gives the entry back.  The caller must have waited for flush(): an
   * entry with writes still pending could land after its successor's.
   */
  release(entry: CellCacheEntry): void {
    if (this.#held.get(entry.name) !== entry) throw new Error(`BUG: cache entry of cell ${entry.name} is not held`);
    if ((entry as CacheEntry).pendingWrites > 0) throw new Error(`BUG: cache entry of cell ${entry.name} released with writes pending`);
    this.#held.delete(entry.name);
  }

  /**
   * Creates the directory if needed (its parent must exist: a recursive
   * mkdir under /proc or /sys never returns) and checks it is one.
   */
  #ensureDir(): Promise<boolean> {
    const dir = this.#dir;
    if (!dir) return Promise.resolve(false);
    this.#ready ??= (async () => {
      try {
        await mkdir(dir, { mode: 0o755 }).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== 'EEXIST') throw err;
        });
        if (!(await stat(dir)).isDirectory()) throw new Error('not a directory');
        return true;
      } catch (err) {
        this.#warn(`cache directory ${dir}: ${(err as Error).message}; running without a cache`);
        return false;
      }
    })();
    return this.#ready;
  }
}

/** Largest entry read back (255 servers × 64 addresses fit well under it). */
const MAX_ENTRY_BYTES = 4 * 1024 * 1024;

/**
 * Reads a regular file without ever blocking on something else put in its
 * place (a FIFO would hold a thread-pool thread, and activation, forever).
 */
async function readRegularFile(file: string): Promise<string> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new Error('not a regular file');
    if (info.size > MAX_ENTRY_BYTES) throw new Error(`larger than ${MAX_ENTRY_BYTES} bytes`);
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/** Parses and checks an entry; null for anything that is not exactly ours. */
function decodeEntry(text: string, name: string): CachedList | null {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(data) || data.format !== FORMAT || data.cell !== name) return null;
  const { savedAt, list } = data;
  if (typeof savedAt !== 'number' || !isObject(list) || !Array.isArray(list.servers)) return null;
  if (!DNS_SOURCES.includes(list.source as VlSource) || list.status !== 'good') return null;
  const servers = [];
  for (const s of list.servers as unknown[]) {
    if (!isObject(s) || typeof s.name !== 'string' || !Array.isArray(s.addresses)) return null;
    const numbers = [s.priority, s.weight, s.port];
    if (!numbers.every((n) => Number.isInteger(n) && (n as number) >= 0 && (n as number) <= 65535)) return null;
    const addresses: VlAddress[] = [];
    for (const a of s.addresses as unknown[]) {
      if (!isObject(a) || typeof a.address !== 'string' || !Number.isInteger(a.port)) return null;
      const canonical = a.family === 4 ? parseIPv4Strict(a.address) : a.family === 6 ? parseIPv6Strict(a.address) : null;
      if (canonical === null) return null;
      addresses.push({ family: a.family as 4 | 6, address: canonical, port: a.port as number });
    }
    servers.push({
      name: s.name,
      priority: s.priority as number,
      weight: s.weight as number,
      port: s.port as number,
      addresses,
    });
  }
  return { list: buildVlServerList(list.source as VlSource, 'good', servers), savedAt };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
