import { constants } from 'node:fs';

/** Named permission sets of the tree (SPEC §5). */
export const MODE_DIR = constants.S_IFDIR | 0o555;
export const MODE_RO_FILE = constants.S_IFREG | 0o444;
export const MODE_RW_FILE = constants.S_IFREG | 0o644;
export const MODE_SYMLINK = constants.S_IFLNK | 0o777;

/** The attributes the adapter hands to the kernel. */
export interface Attr {
  mode: number;
  size: number;
  nlink: number;
  uid: number;
  gid: number;
  atime: Date;
  mtime: Date;
  ctime: Date;
}

/**
 * Builds attributes owned by the daemon's user.  Read-only generated files
 * report size 0 and are read with direct I/O, as procfs and lxcfs do: any
 * other size would be stale by the time a reader trusts it.
 */
export function makeAttr(mode: number, size: number, time: Date): Attr {
  const isDir = (mode & constants.S_IFMT) === constants.S_IFDIR;
  return {
    mode,
    size,
    nlink: isDir ? 2 : 1,
    uid: process.getuid?.() ?? 0,
    gid: process.getgid?.() ?? 0,
    atime: time,
    mtime: time,
    ctime: time,
  };
}
