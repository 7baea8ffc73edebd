/**
 * Loader for OpenAFS CellServDB files: the static cells (SPEC §1, §4).
 *
 *   >grand.central.org      #GCO Public CellServDB 15 Aug 2025
 *   18.9.48.14              #grand.mit.edu
 *   [128.2.13.219]          #grand-old-opry.central.org   (non-voting clone)
 *
 * OpenAFS rejects a whole file for one bad line (research/dns-anchors.md
 * §3.1).  We are a read-mostly view of the database, so a bad line costs
 * only itself: it is skipped with a warning naming file:line, and the rest
 * loads.  Only an unreadable file is an error.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AfsError } from '../errors.js';
import { cellNameError, describeName } from '../cell/names.js';
import { parseIPv4Strict } from '../vl/address.js';
import { VL_PORT, type VlServerList } from '../vl/types.js';
import { buildVlServerList, emptyVlServerList, type VlServerInput } from '../vl/vl-list.js';

/** One cell defined in a CellServDB file. */
export interface StaticCell {
  /** Lower-cased, valid cell name. */
  name: string;
  /** The text after `#` on the `>` line, trimmed ('' if none). */
  description: string;
  /**
   * The servers: source `cfg`, status `good`; or, for a cell with no server
   * lines, an empty `unav`/`no-lookup` list, meaning "resolve by DNS".
   */
  list: VlServerList;
  /** `file:line` of the cell's `>` line, for messages. */
  origin: string;
}

/**
 * Path of the CellServDB shipped in the package's data/ directory.
 *
 * Returns an absolute path; never throws (the file may still be missing).
 * This module sits two levels under the package root both as
 * src/config/cellservdb.ts (ts-node) and as dist/config/cellservdb.js
 * (built), so `../../data/CellServDB` from the module URL works for both.
 */
export function bundledCellServDBPath(): string {
  return fileURLToPath(new URL('../../data/CellServDB', import.meta.url));
}

/** A cell being collected while its server lines are read. */
interface OpenCell {
  name: string;
  description: string;
  origin: string;
  servers: VlServerInput[];
}

/** `>name [linked] [#description]`: name up to whitespace or '#'. */
const CELL_LINE = /^>\s*([^\s#]*)\s*([^#]*?)\s*(?:#(.*))?$/;

/** `addr` or `[addr]` (clone), then optionally `#host ...` (whitespace before '#' optional). */
const HOST_LINE = /^(\[?)([^\s[\]#]*)(\]?)\s*(.*)$/;

/** Printable ASCII without space: what we accept as a server name from the file. */
const PRINTABLE = /^[\x21-\x7e]+$/;

/**
 * Parses one CellServDB file's contents.
 *
 * `data` is decoded as Latin-1 (the GCO file holds a 0xE4 byte; Latin-1
 * maps every byte to a character, so nothing is lost or rejected).
 * `fileName` is only used in `origin` and in warnings.
 *
 * Returns the cells in file order.  A cell defined twice in the file keeps
 * the position of its first definition and the content of its last, with a
 * warning (OpenAFS also lets the later one win).  Never throws: blank lines
 * and lines starting with `#` are skipped silently; a malformed line (bare
 * `>`, invalid cell name, bad or non-strict IPv4, junk after an address, a
 * server line before any cell) is skipped with one warning
 * `file:line: reason`.  The server lines under an invalid cell line are
 * skipped with it (the warning says so) rather than being attached to the
 * previous cell.
 */
export function parseCellServDB(data: Buffer | string, fileName: string, warn: (msg: string) => void): StaticCell[] {
  const text = typeof data === 'string' ? data : data.toString('latin1');
  const cells = new Map<string, StaticCell>();
  // `null` before the first cell line; 'skip' after an invalid one.
  let current: OpenCell | 'skip' | null = null;

  const finish = (): void => {
    if (current === null || current === 'skip') return;
    const c: OpenCell = current;
    const list =
      c.servers.length === 0
        ? emptyVlServerList('unav', 'no-lookup')
        : buildVlServerList('cfg', 'good', c.servers, (m) => warn(`${c.origin}: cell ${c.name}: ${m}`));
    const prev = cells.get(c.name);
    if (prev) warn(`${c.origin}: cell ${c.name} is defined again (first at ${prev.origin}); the later definition wins`);
    // Map.set on an existing key keeps the first position, which is the
    // order we want.
    cells.set(c.name, { name: c.name, description: c.description, list, origin: c.origin });
  };

  const lines = text.split('\n');
  lines.forEach((rawLine, index) => {
    const where = `${fileName}:${index + 1}`;
    // OpenAFS trims leading whitespace; we also drop trailing whitespace and
    // a CR so a file edited on Windows reads the same.
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) return;

    if (line.startsWith('>')) {
      finish();
      const m = CELL_LINE.exec(line);
      const rawName = m?.[1] ?? '';
      if (rawName === '') {
        warn(`${where}: cell line without a cell name; skipping it and its server lines`);
        current = 'skip';
        return;
      }
      const err = cellNameError(rawName);
      if (err) {
        warn(`${where}: bad cell name (${err.message}); skipping it and its server lines`);
        current = 'skip';
        return;
      }
      const linked = m?.[2] ?? '';
      if (linked !== '') {
        // OpenAFS reads a second word as a "linked cell"; we have no use for
        // one, and the cell itself is fine.
        warn(`${where}: linked cell ${describeName(linked)} is not supported; ignored`);
      }
      current = {
        name: rawName.toLowerCase(),
        description: (m?.[3] ?? '').trim(),
        origin: where,
        servers: [],
      };
      return;
    }

    const m = HOST_LINE.exec(line);
    const open = m?.[1] ?? '';
    const addrText = m?.[2] ?? '';
    const close = m?.[3] ?? '';
    const rest = m?.[4] ?? '';
    if (!m || open.length !== close.length) {
      warn(`${where}: unbalanced '[' ']' in server line ${describeName(line)}; skipped`);
      return;
    }
    const address = parseIPv4Strict(addrText);
    if (address === null) {
      warn(`${where}: bad server address ${describeName(addrText)} (strict dotted-decimal IPv4 expected); skipped`);
      return;
    }
    if (rest !== '' && !rest.startsWith('#')) {
      warn(`${where}: junk after the address: ${describeName(rest)}; skipped`);
      return;
    }
    if (current === null) {
      warn(`${where}: server line before any cell line; skipped`);
      return;
    }
    if (current === 'skip') return; // already reported on the cell line

    // OpenAFS reads one word after '#' and ignores the rest of the line.
    let host = rest.slice(1).trim().split(/\s+/)[0] ?? '';
    if (host !== '' && !PRINTABLE.test(host)) {
      warn(`${where}: host name ${describeName(host)} is not printable ASCII; using the address instead`);
      host = '';
    }
    current.servers.push({
      name: host === '' ? address : host.toLowerCase(),
      priority: 0,
      weight: 0,
      port: VL_PORT,
      addresses: [{ family: 4, address, port: VL_PORT }],
    });
  });
  finish();
  return [...cells.values()];
}

/**
 * The static cells of all loaded CellServDB files, looked up by name
 * (case-insensitively).  Immutable once built.
 */
export class StaticCellTable {
  readonly #cells = new Map<string, StaticCell>();

  /** Later entries with the same name replace earlier ones (keeping the first position). */
  constructor(cells: Iterable<StaticCell> = []) {
    for (const c of cells) this.#cells.set(c.name.toLowerCase(), c);
  }

  /** The cell of that name (any case), or undefined. */
  get(name: string): StaticCell | undefined {
    return this.#cells.get(name.toLowerCase());
  }

  /** True if a cell of that name (any case) is defined. */
  has(name: string): boolean {
    return this.#cells.has(name.toLowerCase());
  }

  /** Number of cells. */
  get size(): number {
    return this.#cells.size;
  }

  /** All cell names, sorted (byte order). */
  names(): string[] {
    return [...this.#cells.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** All cells in order of first appearance across the files. */
  all(): StaticCell[] {
    return [...this.#cells.values()];
  }
}

/**
 * Reads and merges CellServDB files in the order given.
 *
 * Returns the table.  A cell defined in a later file replaces the earlier
 * definition (warning naming both origins), keeping its first position.
 * Throws AfsError (ENOENT, EISDIR, EACCES, else EIO), naming the file and
 * the reason, if a file cannot be read; malformed content never throws (see
 * parseCellServDB).
 */
export function loadCellServDBFiles(files: string[], warn: (msg: string) => void): StaticCellTable {
  const merged = new Map<string, StaticCell>();
  for (const file of files) {
    let data: Buffer;
    try {
      data = readFileSync(file);
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      const code = (e as NodeJS.ErrnoException).code;
      const errno = code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES' ? code : 'EIO';
      throw new AfsError(errno, `cannot read CellServDB file ${file}: ${reason}`);
    }
    for (const cell of parseCellServDB(data, file, warn)) {
      const prev = merged.get(cell.name);
      if (prev) warn(`${cell.origin}: cell ${cell.name} replaces the definition at ${prev.origin}`);
      merged.set(cell.name, cell);
    }
  }
  return new StaticCellTable(merged.values());
}
