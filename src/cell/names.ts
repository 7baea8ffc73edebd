/**
 * Cell-name rules (SPEC §2).
 *
 * A cell name ends up in three places: a FUSE path component under /cells,
 * the target of the `@cell` symlink, and a DNS query.  The rules below are
 * the kernel's 2025 rootcell rules (6.14+) made ASCII-only, so that a valid
 * name is safe in all three, and an invalid one is refused before any of
 * them sees it (an invalid name never causes a DNS query).
 */
import { AfsError } from '../errors.js';

/** Longest name in bytes: the kernel's AFS_MAXCELLNAME since 6.13 (a DNS name's limit). */
export const MAX_CELL_NAME = 253;

/** Longest label (the text between two dots): the DNS limit. */
export const MAX_CELL_LABEL = 63;

/** How much of a bad name an error message repeats, so a 4 KiB write is not echoed back whole. */
const SHOWN_CHARS = 40;

/**
 * A short, printable rendering of (part of) a name for error messages:
 * quoted, non-printable characters escaped, long names cut with "...".
 */
export function describeName(name: string): string {
  const cut = name.length > SHOWN_CHARS;
  const head = cut ? name.slice(0, SHOWN_CHARS) : name;
  let out = '';
  for (const ch of head) {
    const code = ch.codePointAt(0) ?? 0;
    if (code >= 0x20 && code <= 0x7e && ch !== '"' && ch !== '\\') out += ch;
    else if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (code <= 0xff) out += '\\x' + code.toString(16).padStart(2, '0');
    else out += '\\u{' + code.toString(16) + '}';
  }
  return '"' + out + (cut ? '...' : '') + '"';
}

/** Names one offending character for a message ("a space", "'/'", "byte 0xe4"). */
function describeChar(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  if (ch === ' ') return 'a space';
  if (ch === '\t') return 'a tab';
  if (code >= 0x21 && code <= 0x7e) return `'${ch}'`;
  if (code <= 0xff) return `0x${code.toString(16).padStart(2, '0')}`;
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Checks `name` against the cell-name rules without throwing.
 *
 * Returns null when the name is valid, else the AfsError that
 * normalizeCellName would throw.  The checks run in this order, so a name
 * with several faults reports the first one:
 *   1. total length (UTF-8 bytes) > 253           -> ENAMETOOLONG
 *   2. empty                                     -> EINVAL
 *   3. a character outside 0x21..0x7e, '/', '@'  -> EINVAL
 *   4. leading '.', trailing '.', '..'           -> EINVAL
 *   5. a label longer than 63                    -> ENAMETOOLONG
 * Length comes first because that is how the kernel orders it and because a
 * huge write should not be scanned; the label length comes last so that a
 * name which is wrong whatever its length reports EINVAL.
 */
export function cellNameError(name: string): AfsError | null {
  // Bytes, not UTF-16 units: the limit is on what reaches the kernel/DNS.
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > MAX_CELL_NAME) {
    return new AfsError(
      'ENAMETOOLONG',
      `cell name is ${bytes} bytes long, the limit is ${MAX_CELL_NAME}: ${describeName(name)}`,
    );
  }
  if (name.length === 0) return new AfsError('EINVAL', 'cell name is empty');

  for (const ch of name) {
    const code = ch.codePointAt(0) ?? 0;
    if (code < 0x21 || code > 0x7e) {
      return new AfsError(
        'EINVAL',
        `cell name has a character that is not printable ASCII (${describeChar(ch)}): ${describeName(name)}`,
      );
    }
    // '/' would make a path, '@' is reserved for the `@cell` symlink.
    if (ch === '/' || ch === '@') {
      return new AfsError('EINVAL', `cell name may not contain ${describeChar(ch)}: ${describeName(name)}`);
    }
  }

  // A leading '.' would collide with the kernel's dotted (R/W) entries and
  // with `.`/`..` themselves.  A trailing '.' is the absolute DNS form of
  // another name (so `x.org.` would be a second record for the cell
  // `x.org`), and '..' is an empty label no DNS name can have; the kernel
  // refuses both since 6.14 because the name becomes a symlink target.
  if (name.startsWith('.')) return new AfsError('EINVAL', `cell name starts with '.': ${describeName(name)}`);
  if (name.endsWith('.')) return new AfsError('EINVAL', `cell name ends with '.': ${describeName(name)}`);
  if (name.includes('..')) {
    return new AfsError('EINVAL', `cell name has an empty label ('..'): ${describeName(name)}`);
  }

  for (const label of name.split('.')) {
    if (label.length > MAX_CELL_LABEL) {
      return new AfsError(
        'ENAMETOOLONG',
        `cell name has a label of ${label.length} characters, the limit is ${MAX_CELL_LABEL}: ${describeName(label)}`,
      );
    }
  }
  return null;
}

/**
 * Validates a cell name and returns its stored form (lower-cased: cells are
 * compared case-insensitively, so `Example.ORG` and `example.org` are one).
 *
 * Throws AfsError ENAMETOOLONG (name > 253 bytes or a label > 63) or EINVAL
 * (anything else invalid); see cellNameError for the order of checks.
 */
export function normalizeCellName(name: string): string {
  const err = cellNameError(name);
  if (err) throw err;
  // ASCII only at this point, so toLowerCase cannot change the length.
  return name.toLowerCase();
}

/** True if `name` is a valid cell name (never throws). */
export function isValidCellName(name: string): boolean {
  return cellNameError(name) === null;
}
