/**
 * The kernel's text address-list grammar (fs/afs/addr_list.c,
 * afs_parse_text_addrs) as used by a /rootcell write and `--rootcell`
 * (SPEC §5), with our stricter address rules (SPEC §10).
 *
 *   spec     = NAME [ ":" addrlist ] [ "\n" ]
 *   addrlist = item *( delim item )
 *   item     = IPv4 [ "+" port ] | IPv6 | "[" IPv6 "]" [ "+" port ]
 *   delim    = "," if the list contains "," or has no "."; else ":"
 *
 * The delimiter rule lets the classic `name:1.2.3.4:5.6.7.8` form keep
 * working while a list of bare IPv6 addresses (which has no '.') is split on
 * ',' instead of on the colons inside the addresses.
 */
import { AfsError } from '../errors.js';
import { describeName, normalizeCellName } from '../cell/names.js';
import { addressKey, parseIPv4Strict, parseIPv6Strict } from './address.js';
import { MAX_VL_ADDRESSES, VL_PORT, type VlAddress } from './types.js';

/** Largest /rootcell write accepted, in bytes (the kernel's page-sized limit). */
export const MAX_ROOTCELL_WRITE = 4096;

/** Plain decimal, no leading zero (as strict as the IPv4 octets). */
const PORT_DIGITS = /^[1-9][0-9]*$/;

/** Parses the text after '+'; throws EINVAL naming the item unless it is 1..65535 in decimal. */
function parsePort(text: string, item: string): number {
  // Digits only: no sign, no hex, no spaces.  The length cap keeps Number()
  // exact and stops a 4 KiB run of digits from being parsed at all.
  if (!PORT_DIGITS.test(text) || text.length > 5) {
    throw new AfsError('EINVAL', `bad port in address ${describeName(item)}: must be 1-65535 in decimal`);
  }
  const port = Number(text);
  if (port < 1 || port > 65535) {
    throw new AfsError('EINVAL', `bad port in address ${describeName(item)}: must be 1-65535 in decimal`);
  }
  return port;
}

/** Parses one list item; throws EINVAL naming the item. */
function parseItem(item: string): VlAddress {
  if (item.length === 0) {
    throw new AfsError('EINVAL', 'empty item in address list (two delimiters in a row, or one at an end)');
  }

  if (item.startsWith('[')) {
    // Brackets are only for IPv6: they exist to separate the address's own
    // colons from a port, which IPv4 does not need.  The kernel would take
    // `[1.2.3.4]`; we refuse it so there is one spelling per address.
    const close = item.indexOf(']');
    if (close < 0) throw new AfsError('EINVAL', `missing ']' in address ${describeName(item)}`);
    const inner = item.slice(1, close);
    const address = parseIPv6Strict(inner);
    if (address === null) {
      const why = parseIPv4Strict(inner) !== null ? 'brackets are only for IPv6' : 'not a valid IPv6 address';
      throw new AfsError('EINVAL', `bad address ${describeName(item)}: ${why}`);
    }
    const rest = item.slice(close + 1);
    if (rest === '') return { family: 6, address, port: VL_PORT };
    if (!rest.startsWith('+')) {
      throw new AfsError('EINVAL', `junk after ']' in address ${describeName(item)}`);
    }
    return { family: 6, address, port: parsePort(rest.slice(1), item) };
  }

  const plus = item.indexOf('+');
  const text = plus < 0 ? item : item.slice(0, plus);
  const v4 = parseIPv4Strict(text);
  if (v4 !== null) {
    const port = plus < 0 ? VL_PORT : parsePort(item.slice(plus + 1), item);
    return { family: 4, address: v4, port };
  }
  const v6 = parseIPv6Strict(text);
  if (v6 !== null) {
    // A bare IPv6 address takes no port (SPEC §5 grammar); say how to give one.
    if (plus >= 0) {
      throw new AfsError('EINVAL', `bad address ${describeName(item)}: put an IPv6 address in [ ] to give it a port`);
    }
    return { family: 6, address: v6, port: VL_PORT };
  }
  if (text.includes('%')) {
    throw new AfsError('EINVAL', `bad address ${describeName(item)}: zone ids are not allowed`);
  }
  throw new AfsError(
    'EINVAL',
    `bad address ${describeName(item)}: not strict dotted-decimal IPv4 or IPv6`,
  );
}

/**
 * Parses a text address list (the part after `NAME:`).
 *
 * Returns the addresses in the order given, duplicates (same address and
 * port) removed, each with port VL_PORT unless `+port` was given.  Throws
 * AfsError EINVAL, naming the bad item, for: empty text, an empty item, an
 * address that is not strict IPv4/IPv6 (octal, hex, short, zero-padded,
 * zone id, junk), brackets around IPv4, a port outside 1..65535 or not in
 * decimal, or more than MAX_VL_ADDRESSES distinct addresses.
 */
export function parseTextAddrList(text: string): VlAddress[] {
  if (text.length === 0) throw new AfsError('EINVAL', 'address list is empty');
  const delim = text.includes(',') || !text.includes('.') ? ',' : ':';

  const out: VlAddress[] = [];
  const seen = new Set<string>();
  for (const item of text.split(delim)) {
    const addr = parseItem(item);
    const key = addressKey(addr);
    if (seen.has(key)) continue;
    seen.add(key);
    if (out.length === MAX_VL_ADDRESSES) {
      throw new AfsError('EINVAL', `address list has more than ${MAX_VL_ADDRESSES} addresses`);
    }
    out.push(addr);
  }
  return out;
}

/** What a /rootcell write (or `--rootcell`) asks for. */
export interface RootCellSpec {
  /** The cell name, validated and lower-cased. */
  name: string;
  /** Addresses that replace the cell's list, or null when only a name was given. */
  addresses: VlAddress[] | null;
}

/**
 * Parses a whole /rootcell write: `NAME` or `NAME:ADDRLIST`, optionally
 * followed by exactly one `\n` (what `echo` adds).
 *
 * A Buffer is read byte for byte (latin1), so any non-ASCII byte is caught
 * rather than being decoded into something printable.
 *
 * Returns the lower-cased name and the parsed addresses (null without ':').
 * Throws AfsError:
 *   - EINVAL: input over 4096 bytes, empty, a control or non-ASCII byte
 *     anywhere (other than the single trailing newline), `NAME:` with an
 *     empty list, or any bad name or address (see parseTextAddrList);
 *   - ENAMETOOLONG: the name is over 253 bytes or has a label over 63.
 * The name is checked before the addresses, so a bad name is reported even
 * when the list is also bad.
 */
export function parseRootCellSpec(input: string | Buffer): RootCellSpec {
  const bytes = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.length;
  if (bytes > MAX_ROOTCELL_WRITE) {
    throw new AfsError('EINVAL', `rootcell write is ${bytes} bytes, the limit is ${MAX_ROOTCELL_WRITE}`);
  }
  let text = typeof input === 'string' ? input : input.toString('latin1');
  if (text.endsWith('\n')) text = text.slice(0, -1);
  if (text.length === 0) throw new AfsError('EINVAL', 'rootcell write is empty');

  // Control characters and non-ASCII are refused up front with their offset;
  // a space is left to the name/address parsers, which say where it is.
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code > 0x7e) {
      const shown = code <= 0xff ? `0x${code.toString(16).padStart(2, '0')}` : `U+${code.toString(16)}`;
      throw new AfsError('EINVAL', `rootcell write has a non-printable character ${shown} at offset ${i}`);
    }
  }

  // Split at the FIRST ':': a cell name cannot hold one usefully, while an
  // address list can hold many.
  const colon = text.indexOf(':');
  const name = normalizeCellName(colon < 0 ? text : text.slice(0, colon));
  if (colon < 0) return { name, addresses: null };

  const list = text.slice(colon + 1);
  if (list.length === 0) throw new AfsError('EINVAL', `rootcell write "${name}:" has an empty address list`);
  return { name, addresses: parseTextAddrList(list) };
}
