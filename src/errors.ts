/**
 * Errors that cross module boundaries carry an errno name, so that the FUSE
 * adapter and the CLI can map them without knowing who raised them.
 */
export type ErrnoName =
  | 'ENOENT'
  | 'EINVAL'
  | 'ENAMETOOLONG'
  | 'EDESTADDRREQ'
  | 'EPERM'
  | 'EACCES'
  | 'EEXIST'
  | 'ESHUTDOWN'
  | 'EIO'
  | 'ENOTDIR'
  | 'EISDIR'
  | 'ENOSYS';

export class AfsError extends Error {
  readonly code: ErrnoName;

  constructor(code: ErrnoName, message: string) {
    super(message);
    this.name = 'AfsError';
    this.code = code;
  }
}

/** True if `err` is an AfsError with the given code (any code if omitted). */
export function isAfsError(err: unknown, code?: ErrnoName): err is AfsError {
  return err instanceof AfsError && (code === undefined || err.code === code);
}
