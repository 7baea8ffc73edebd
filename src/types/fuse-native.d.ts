// fuse-native 2.2.6 ships no types; this declares the part afs-cellfs uses.
declare module 'fuse-native' {
  type Cb<T = void> = T extends void ? (err: number) => void : (err: number, value?: T) => void;

  export interface FuseStat {
    mode: number;
    size: number;
    nlink: number;
    uid: number;
    gid: number;
    atime: Date;
    mtime: Date;
    ctime: Date;
  }

  export interface FuseOps {
    init?(cb: (err: number) => void): void;
    getattr?(path: string, cb: (err: number, stat?: FuseStat) => void): void;
    fgetattr?(path: string, fd: number, cb: (err: number, stat?: FuseStat) => void): void;
    opendir?(path: string, flags: number, cb: (err: number, fd?: number) => void): void;
    releasedir?(path: string, fd: number, cb: (err: number) => void): void;
    readdir?(path: string, cb: (err: number, names?: string[]) => void): void;
    readlink?(path: string, cb: (err: number, link?: string) => void): void;
    open?(path: string, flags: number, cb: (err: number, fd?: number) => void): void;
    release?(path: string, fd: number, cb: (err: number) => void): void;
    read?(path: string, fd: number, buf: Buffer, len: number, pos: number, cb: (result: number) => void): void;
    write?(path: string, fd: number, buf: Buffer, len: number, pos: number, cb: (result: number) => void): void;
    truncate?(path: string, size: number, cb: (err: number) => void): void;
    ftruncate?(path: string, fd: number, size: number, cb: (err: number) => void): void;
    create?(path: string, mode: number, cb: (err: number, fd?: number) => void): void;
    mknod?(path: string, mode: number, dev: number, cb: (err: number) => void): void;
    mkdir?(path: string, mode: number, cb: (err: number) => void): void;
    rmdir?(path: string, cb: (err: number) => void): void;
    unlink?(path: string, cb: (err: number) => void): void;
    rename?(src: string, dest: string, cb: (err: number) => void): void;
    link?(src: string, dest: string, cb: (err: number) => void): void;
    symlink?(src: string, dest: string, cb: (err: number) => void): void;
    chmod?(path: string, mode: number, cb: (err: number) => void): void;
    chown?(path: string, uid: number, gid: number, cb: (err: number) => void): void;
    utimens?(path: string, atime: number, mtime: number, cb: (err: number) => void): void;
  }

  export interface FuseOptions {
    force?: boolean;
    mkdir?: boolean;
    autoUnmount?: boolean;
    allowOther?: boolean;
    defaultPermissions?: boolean;
    attrTimeout?: string;
    entryTimeout?: string;
    fsname?: string;
    subtype?: string;
    timeout?: false | number | Record<string, number | false>;
    debug?: boolean;
  }

  class Fuse {
    constructor(mnt: string, ops: FuseOps, opts?: FuseOptions);
    readonly mnt: string;
    mount(cb: (err: Error | null) => void): void;
    unmount(cb: (err: Error | null) => void): void;
    protected _fuseOptions(): string;
    static unmount(mnt: string, cb: (err: Error | null) => void): void;
  }
  export default Fuse;
  export type { Cb };
}
