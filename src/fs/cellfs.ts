import { constants } from 'node:fs';
import type { Cell } from '../cell/cell.js';
import type { CellDatabase } from '../cell/database.js';
import { AfsError } from '../errors.js';
import { renderVlservers } from '../vl/vl-list.js';
import { makeAttr, MODE_DIR, MODE_RO_FILE, MODE_RW_FILE, MODE_SYMLINK, type Attr } from './attrs.js';
import { CELL_ENTRIES, CELL_LINK, classifyPath, ROOT_ENTRIES, type FsNode } from './nodes.js';

/** Largest write /rootcell accepts in one write() (SPEC §5). */
const MAX_ROOTCELL_WRITE = 4096;
/** The access-mode bits of open(2) flags (not exported by node:fs). */
const O_ACCMODE = 3;

/** An open file: the content it was opened with, and the cell use it holds. */
interface Handle {
  readonly content: Buffer;
  /** Cleared when the use is given back early (shutdown). */
  cell: Cell | null;
  readonly writable: boolean;
}

/**
 * The filesystem as a view over the cell database, with no FUSE in it:
 * every operation takes a path (or handle) and returns a value or throws an
 * AfsError, so it can be driven directly in tests.  Reading the tree asks
 * the database; nothing here keeps its own copy of any cell.
 *
 * Waiting for DNS happens only inside a cell's own directory (its
 * vlservers file and its listing), never in a lookup of /cells/<name>: the
 * kernel serialises lookups per directory, so one slow cell would stall all.
 */
export class CellFs {
  readonly #db: CellDatabase;
  readonly #handles = new Map<number, Handle>();
  readonly #mountTime = new Date();
  #nextHandle = 1;
  #closing = false;

  constructor(db: CellDatabase) {
    this.#db = db;
  }

  /** Number of open handles (each vlservers one holds a cell use). */
  get openHandles(): number {
    return this.#handles.size;
  }

  async getattr(path: string): Promise<Attr> {
    const node = this.#node(path);
    switch (node.kind) {
      case 'root':
      case 'cells':
        return this.#attr(MODE_DIR);
      case 'rootcell':
        return this.#attr(MODE_RW_FILE, this.#rootCellText().length);
      case 'stats':
        return this.#attr(MODE_RO_FILE);
      case 'cell-link': {
        const root = this.#db.rootCell;
        if (!root) throw new AfsError('ENOENT', 'no root cell is set');
        return this.#attr(MODE_SYMLINK, root.name.length);
      }
      case 'cell':
        // Answer from memory: create the record if needed and start its
        // lookup, but do not wait for DNS here.
        await this.#withCell(node.name, async () => undefined);
        return this.#attr(MODE_DIR);
      case 'vlservers':
        await this.#withCell(node.name, (cell) => this.#db.vlListFor(cell));
        return this.#attr(MODE_RO_FILE);
    }
  }

  /**
   * Opening a cell's directory waits for its first result, so that `ls` of
   * a cell DNS does not know fails (glibc reads an error from getdents as
   * the end of the listing, so readdir alone could not report it).
   */
  async opendir(path: string): Promise<void> {
    const node = this.#node(path);
    switch (node.kind) {
      case 'root':
      case 'cells':
        return;
      case 'cell':
        await this.#withCell(node.name, (cell) => this.#db.vlListFor(cell));
        return;
      default:
        throw new AfsError('ENOTDIR', `${path} is not a directory`);
    }
  }

  async readdir(path: string): Promise<string[]> {
    const node = this.#node(path);
    switch (node.kind) {
      case 'root':
        return ['.', '..', ...ROOT_ENTRIES];
      case 'cells': {
        const names = ['.', '..'];
        if (this.#db.rootCell) names.push(CELL_LINK);
        return names.concat(this.#db.activeCellNames());
      }
      case 'cell':
        await this.#withCell(node.name, (cell) => this.#db.vlListFor(cell));
        return ['.', '..', ...CELL_ENTRIES];
      default:
        throw new AfsError('ENOTDIR', `${path} is not a directory`);
    }
  }

  async readlink(path: string): Promise<string> {
    const node = this.#node(path);
    if (node.kind !== 'cell-link') throw new AfsError('EINVAL', `${path} is not a symlink`);
    const root = this.#db.rootCell;
    if (!root) throw new AfsError('ENOENT', 'no root cell is set');
    return root.name;
  }

  /** Opens a file and snapshots its content; returns the handle number. */
  async open(path: string, flags: number): Promise<number> {
    const node = this.#node(path);
    const wantsWrite = (flags & O_ACCMODE) !== constants.O_RDONLY;
    switch (node.kind) {
      case 'rootcell':
        return this.#addHandle({ content: Buffer.from(this.#rootCellText()), cell: null, writable: wantsWrite });
      case 'stats':
        if (wantsWrite) throw new AfsError('EACCES', `${path} is read-only`);
        return this.#addHandle({ content: Buffer.from(this.#statsText()), cell: null, writable: false });
      case 'vlservers': {
        if (wantsWrite) throw new AfsError('EACCES', `${path} is read-only`);
        // The handle keeps the use until release, like an open proc file.
        const cell = await this.#db.lookupCell(node.name, 'open');
        try {
          const list = await this.#db.vlListFor(cell);
          const text = renderVlservers(list, this.#db.vlNotes(cell));
          return this.#addHandle({ content: Buffer.from(text), cell, writable: false });
        } catch (err) {
          this.#db.unuseCell(cell, 'release');
          throw err;
        }
      }
      case 'root':
      case 'cells':
      case 'cell':
        throw new AfsError('EISDIR', `${path} is a directory`);
      case 'cell-link':
        throw new AfsError('ENOENT', `${path} is a dangling link`);
    }
  }

  /** Returns up to `length` bytes of the handle's snapshot from `offset`. */
  read(fh: number, offset: number, length: number): Buffer {
    const handle = this.#handle(fh);
    return handle.content.subarray(offset, offset + length);
  }

  /**
   * One write() to /rootcell is one command (`name[:addrs]`), whatever its
   * offset; returns the byte count on success.
   */
  async write(path: string, fh: number, data: Buffer): Promise<number> {
    const node = this.#node(path);
    const handle = this.#handle(fh);
    if (node.kind !== 'rootcell' || !handle.writable) {
      throw new AfsError('EACCES', `${path} is not writable`);
    }
    if (data.length > MAX_ROOTCELL_WRITE) {
      throw new AfsError('EINVAL', `a /rootcell write is at most ${MAX_ROOTCELL_WRITE} bytes`);
    }
    this.#checkOpen();
    await this.#db.setRootCell(data.toString('latin1'));
    return data.length;
  }

  /**
   * Truncation exists so that `echo name > /rootcell` (O_TRUNC) works; the
   * root cell itself only changes through write().
   */
  async truncate(path: string, size: number): Promise<void> {
    const node = this.#node(path);
    if (node.kind === 'rootcell') {
      if (size !== 0) throw new AfsError('EINVAL', '/rootcell can only be truncated to 0');
      return;
    }
    if (node.kind === 'vlservers' || node.kind === 'stats') {
      throw new AfsError('EACCES', `${path} is read-only`);
    }
    throw new AfsError('EPERM', `${path} cannot be truncated`);
  }

  /** Closes a handle and gives back its cell use. */
  release(fh: number): void {
    const handle = this.#handles.get(fh);
    if (!handle) return;
    this.#handles.delete(fh);
    if (handle.cell) this.#db.unuseCell(handle.cell, 'release');
  }

  /**
   * Start of shutdown: refuse new work with ESHUTDOWN and give back every
   * use held by open handles, so the database's count-out can finish while
   * files are still open.  Reads of open handles still see their snapshot.
   */
  shutdown(): void {
    this.#closing = true;
    for (const handle of this.#handles.values()) {
      if (handle.cell) this.#db.unuseCell(handle.cell, 'release');
      handle.cell = null;
    }
  }

  /** Refuses an operation that changes the tree's shape. */
  refuse(path: string, what: string): never {
    throw new AfsError('EPERM', `${what} is not supported on ${path}`);
  }

  #node(path: string): FsNode {
    this.#checkOpen();
    const node = classifyPath(path);
    if (!node) throw new AfsError('ENOENT', `no such path: ${path}`);
    return node;
  }

  #checkOpen(): void {
    if (this.#closing) throw new AfsError('ESHUTDOWN', 'afs-cellfs is shutting down');
  }

  /**
   * Runs `fn` with a use of the named cell held.  An invalid name is just a
   * path that does not exist (ENOENT), as in the kernel's dynroot; a name
   * that is too long stays ENAMETOOLONG (SPEC §2).
   */
  async #withCell<T>(name: string, fn: (cell: Cell) => Promise<T>): Promise<T> {
    let cell: Cell;
    try {
      cell = await this.#db.lookupCell(name, 'lookup');
    } catch (err) {
      if (err instanceof AfsError && err.code === 'EINVAL') {
        throw new AfsError('ENOENT', `not a valid cell name: ${err.message}`);
      }
      throw err;
    }
    try {
      return await fn(cell);
    } finally {
      this.#db.unuseCell(cell, 'lookup');
    }
  }

  #attr(mode: number, size = 0): Attr {
    return makeAttr(mode, size, this.#mountTime);
  }

  #rootCellText(): string {
    const root = this.#db.rootCell;
    return root ? `${root.name}\n` : '';
  }

  #statsText(): string {
    return this.#db.stats.render(this.#db.registry.size, this.#db.activeCellNames().length);
  }

  #addHandle(handle: Handle): number {
    const fh = this.#nextHandle++;
    this.#handles.set(fh, handle);
    return fh;
  }

  #handle(fh: number): Handle {
    const handle = this.#handles.get(fh);
    if (!handle) throw new AfsError('EIO', `no open handle ${fh}`);
    return handle;
  }
}
