/**
 * The only module that touches fuse-native.  It loads the library, mounts,
 * and turns each FUSE request into one call on the CellFs view, answering
 * every request exactly once with a value or a negative errno.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants as osConstants } from 'node:os';
import path from 'node:path';
import type FuseType from 'fuse-native';
import type { FuseOps, FuseStat } from 'fuse-native';
import { AfsError, errnoNumber } from '../errors.js';
import type { CellFs } from './cellfs.js';

const require = createRequire(import.meta.url);
/** glibc's RTLD_NODELETE: not in os.constants.dlopen, fixed on Linux. */
const RTLD_NODELETE = 0x1000;

/**
 * Loads fuse-native with the libfuse 2.9 and fusermount bundled in its npm
 * dependency, so no system package is needed.  The addon has no rpath and
 * asks for `libfuse.so.2`; the dynamic loader satisfies that from an
 * already loaded object with that SONAME, so the bundled library is loaded
 * first (RTLD_NODELETE keeps it when Node's dlopen rejects it as "not an
 * addon").  The bundled fusermount goes last on PATH, so a system one wins.
 */
function loadFuseNative(): typeof FuseType {
  const nativeDir = path.dirname(require.resolve('fuse-native/package.json'));
  const shared = require(require.resolve('fuse-shared-library', { paths: [nativeDir] })) as { lib: string };
  const lib = realpathSync(shared.lib);
  const { RTLD_NOW, RTLD_GLOBAL } = osConstants.dlopen as Record<string, number>;
  try {
    process.dlopen({ exports: {} } as NodeJS.Module, lib, (RTLD_NOW ?? 2) | (RTLD_GLOBAL ?? 0x100) | RTLD_NODELETE);
  } catch (err) {
    // "Module did not self-register" is expected: the library is not an addon.
    if (!readFileSync('/proc/self/maps', 'utf8').includes(lib)) throw err;
  }
  const bin = path.join(path.dirname(path.dirname(lib)), 'bin');
  const dirs = (process.env.PATH ?? '').split(':');
  if (!dirs.includes(bin)) process.env.PATH = [...dirs.filter(Boolean), bin].join(':');
  return require(path.join(nativeDir, 'index.js')) as typeof FuseType;
}

/** Negative errno for any error: AfsError by its code, anything else EIO. */
export function errnoOf(err: unknown, log?: (msg: string) => void): number {
  if (err instanceof AfsError) return -errnoNumber(err.code);
  log?.(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return -errnoNumber('EIO');
}

export interface MountOptions {
  allowOther: boolean;
  /** Called with the errno name of every failed request (for /stats). */
  onError?: (code: string) => void;
  log?: (msg: string) => void;
}

export interface Mounted {
  readonly mountpoint: string;
  /** Unmounts (fusermount -uz); a no-op if the mount is already gone. */
  unmount(): Promise<void>;
  /** Resolves when the mount disappears from outside (`umount -l`, `fusermount -u`). */
  readonly lost: Promise<void>;
}

/** How often the daemon checks that its mount still exists. */
const MOUNT_POLL_MS = 500;

/** The mountpoint as /proc/self/mountinfo will spell it (symlinks resolved). */
function realMountpoint(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return path.join(realpathSync(path.dirname(dir)), path.basename(dir)); // created by the mount
  }
}

/** True while `dir` is a mountpoint in this process's mount namespace. */
function isMountpoint(dir: string): boolean {
  try {
    // Field 5 of mountinfo is the mountpoint, with spaces etc. octal-escaped.
    const escaped = dir.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
    return readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .some((line) => line.split(' ')[4] === escaped);
  } catch {
    return true; // cannot tell: assume it is still there
  }
}

/**
 * Builds the ops table.  Exported so tests can drive it without a mount.
 * Every op goes through `answer`, which guarantees one reply per request.
 */
export function makeOps(fs: CellFs, options: Pick<MountOptions, 'onError' | 'log'> = {}): FuseOps {
  const fail = (err: unknown): number => {
    const errno = errnoOf(err, options.log);
    options.onError?.(err instanceof AfsError ? err.code : 'EIO');
    return errno;
  };
  /** Runs `work` and replies once: `reply(0, value)` or `reply(-errno)`. */
  const answer = <T>(work: () => T | Promise<T>, reply: (err: number, value?: T) => void): void => {
    let replied = false;
    const once = (err: number, value?: T): void => {
      if (replied) return;
      replied = true;
      reply(err, value);
    };
    new Promise<T>((resolve) => resolve(work())).then(
      (value) => once(0, value),
      (err: unknown) => once(fail(err)),
    );
  };
  const refuse = (p: string, what: string) => (cb: (err: number) => void) =>
    answer(() => fs.refuse(p, what), cb);

  return {
    getattr: (p, cb) => answer(() => fs.getattr(p) as Promise<FuseStat>, cb),
    opendir: (p, _flags, cb) => answer(async () => (await fs.opendir(p), 0), cb),
    releasedir: (_p, _fd, cb) => cb(0),
    readdir: (p, cb) => answer(() => fs.readdir(p), cb),
    readlink: (p, cb) => answer(() => fs.readlink(p), cb),
    open: (p, flags, cb) => answer(() => fs.open(p, flags), cb),
    release: (_p, fd, cb) => answer(() => fs.release(fd), cb),
    read: (_p, fd, buf, len, pos, cb) =>
      answer(
        () => fs.read(fd, pos, len).copy(buf),
        (err, n) => cb(err < 0 ? err : (n ?? 0)),
      ),
    write: (p, fd, buf, len, _pos, cb) => {
      // fuse-native detaches `buf` once cb is called: copy it out first.
      const data = Buffer.from(buf.subarray(0, len));
      answer(
        () => fs.write(p, fd, data),
        (err, n) => cb(err < 0 ? err : (n ?? 0)),
      );
    },
    truncate: (p, size, cb) => answer(() => fs.truncate(p, size), cb),
    ftruncate: (p, _fd, size, cb) => answer(() => fs.truncate(p, size), cb),
    create: (p, _mode, cb) => refuse(p, 'creating files')(cb),
    mknod: (p, _mode, _dev, cb) => refuse(p, 'creating files')(cb),
    mkdir: (p, _mode, cb) => refuse(p, 'mkdir')(cb),
    rmdir: (p, cb) => refuse(p, 'rmdir')(cb),
    unlink: (p, cb) => refuse(p, 'unlink')(cb),
    rename: (p, _dest, cb) => refuse(p, 'rename')(cb),
    link: (p, _dest, cb) => refuse(p, 'link')(cb),
    symlink: (_target, p, cb) => refuse(p, 'symlink')(cb),
    chmod: (p, _mode, cb) => refuse(p, 'chmod')(cb),
    chown: (p, _uid, _gid, cb) => refuse(p, 'chown')(cb),
    utimens: (p, _atime, _mtime, cb) => refuse(p, 'setting times')(cb),
  };
}

/**
 * Mounts `fs` at `mountpoint`.  Permissions are enforced by the kernel
 * (default_permissions).  Attribute and entry timeouts are 0 (a cell
 * that vanished is gone on the next lookup), every file is read with
 * direct_io (size 0 files stream whatever their length), `autoUnmount`
 * leaves no dead mount if the process is killed, and `force` clears one left
 * by an earlier crash.  fuse-native's per-request timeout is off: every
 * handler is bounded by the database's own DNS limits.
 */
export async function mountCellFs(mountpoint: string, fs: CellFs, options: MountOptions): Promise<Mounted> {
  const Fuse = loadFuseNative();
  class DirectIoFuse extends Fuse {
    protected override _fuseOptions(): string {
      const opts = super._fuseOptions();
      return opts ? `${opts},direct_io` : '-odirect_io';
    }
  }
  const fuse = new DirectIoFuse(mountpoint, makeOps(fs, options), {
    force: true,
    mkdir: true,
    autoUnmount: true,
    allowOther: options.allowOther,
    // The kernel checks the modes we report against the caller: with
    // allow_other, /rootcell (0644, owned by the daemon's user) must not be
    // writable by everyone.  The daemon itself cannot see who is asking.
    defaultPermissions: true,
    attrTimeout: '0',
    entryTimeout: '0',
    fsname: 'afs-cellfs',
    subtype: 'afs-cellfs',
    timeout: false,
  });
  // Resolved before mounting: afterwards a synchronous stat of the mount
  // from this thread would wait for this thread to answer it.
  const real = realMountpoint(fuse.mnt);
  await new Promise<void>((resolve, reject) => fuse.mount((err) => (err ? reject(err) : resolve())));
  // libfuse ends its loop silently when the kernel drops the mount, so the
  // daemon looks for its mount instead of waiting for a request that will
  // never come.
  let poll: NodeJS.Timeout | undefined;
  const lost = new Promise<void>((resolve) => {
    poll = setInterval(() => {
      if (!isMountpoint(real)) resolve();
    }, MOUNT_POLL_MS);
  }).finally(() => clearInterval(poll));
  let unmounting: Promise<void> | null = null;
  return {
    mountpoint: fuse.mnt,
    lost,
    unmount() {
      clearInterval(poll);
      unmounting ??= isMountpoint(real)
        ? new Promise<void>((resolve, reject) => fuse.unmount((err) => (err ? reject(err) : resolve())))
        : Promise.resolve();
      return unmounting;
    },
  };
}
