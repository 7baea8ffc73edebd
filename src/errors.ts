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

/**
 * Linux errno values.  Spelled out rather than taken from os.constants,
 * which lacks some (ESHUTDOWN) and would silently turn them into EIO.
 */
const ERRNO: Readonly<Record<ErrnoName, number>> = {
  EPERM: 1,
  ENOENT: 2,
  EIO: 5,
  EACCES: 13,
  EEXIST: 17,
  ENOTDIR: 20,
  EISDIR: 21,
  EINVAL: 22,
  ENAMETOOLONG: 36,
  ENOSYS: 38,
  EDESTADDRREQ: 89,
  ESHUTDOWN: 108,
};

/** The errno number of an errno name. */
export function errnoNumber(code: ErrnoName): number {
  return ERRNO[code];
}

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
