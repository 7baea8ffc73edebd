/**
 * Strict IP address parsing and ordering for VL server addresses.
 *
 * ipaddr.js on its own is too lenient for us (see research/toolchain.md §4):
 * it accepts the inet_aton legacy IPv4 forms (`127.1`, `0x7f.0.0.1`, a bare
 * 32-bit integer) and reads leading zeros as octal, so `010.0.0.1` would be
 * 8.0.0.1 here while the kernel reads 10.0.0.1.  Rather than pick one of two
 * surprising answers we refuse every such form (SPEC §5, §10).  ipaddr.js is
 * still used for the real parsing and for canonical output once the text
 * has passed our own shape checks.
 */
import ipaddr from 'ipaddr.js';
import type { VlAddress } from './types.js';

/** One decimal octet with no leading zero: 0, 1-9, 10-99, 100-255 (range checked below). */
const OCTET = '(0|[1-9][0-9]{0,2})';
const IPV4_STRICT = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);

/** Only these characters can appear in an IPv6 literal we accept (no '%', brackets or spaces). */
const IPV6_CHARS = /^[0-9A-Fa-f:.]+$/;

/** The four octets of a strict dotted quad, or null. */
function strictIPv4Octets(text: string): number[] | null {
  const m = IPV4_STRICT.exec(text);
  if (!m) return null;
  const octets = m.slice(1, 5).map(Number);
  return octets.every((o) => o <= 255) ? octets : null;
}

/**
 * Parses strict dotted-decimal IPv4 (`a.b.c.d`, each 0-255, no leading
 * zeros, no octal/hex/short/integer forms, no whitespace).
 *
 * Returns the canonical dotted quad, or null if `text` is not one.  Never
 * throws.
 */
export function parseIPv4Strict(text: string): string | null {
  const octets = strictIPv4Octets(text);
  if (!octets) return null;
  return ipaddr.IPv4.parse(text).toString();
}

/**
 * Parses an IPv6 literal without brackets, zone id (`%eth0`) or port.
 *
 * Returns the RFC 5952 text (lower case, longest zero run as `::`), or null
 * if `text` is not a valid IPv6 address.  Never throws.
 *
 * An embedded dotted IPv4 tail (`::ffff:192.0.2.1`, `64:ff9b::192.0.2.1`)
 * must itself be strict dotted decimal.  Such an address stays IPv6: it is a
 * legal IPv6 address and the kernel stores it as one, so `::ffff:1.2.3.4`
 * comes back as `::ffff:102:304` (ipaddr.js prints the tail in hex) with
 * family 6.  Collapsing it to IPv4 would silently change what was written.
 */
export function parseIPv6Strict(text: string): string | null {
  if (!IPV6_CHARS.test(text) || !text.includes(':')) return null;
  let hexOnly = text;
  if (text.includes('.')) {
    // Check the dotted tail ourselves: ipaddr.js accepts octal/hex octets
    // there, and mis-reads the IPv4-compatible form `::1.2.3.4` as
    // `::ffff:1.2.3.4`.  Rewriting the tail as two hex groups avoids both.
    const cut = text.lastIndexOf(':');
    const octets = strictIPv4Octets(text.slice(cut + 1));
    if (!octets) return null;
    const [a = 0, b = 0, c = 0, d = 0] = octets;
    const hi = ((a << 8) | b).toString(16);
    const lo = ((c << 8) | d).toString(16);
    hexOnly = `${text.slice(0, cut + 1)}${hi}:${lo}`;
  }
  if (!ipaddr.IPv6.isValid(hexOnly)) return null;
  try {
    return ipaddr.IPv6.parse(hexOnly).toRFC5952String();
  } catch {
    return null;
  }
}

/** Anything with a family and canonical address text (a VlAddress, or one without a port). */
export interface AddressLike {
  readonly family: 4 | 6;
  readonly address: string;
}

/** The address bytes (4 or 16), or null if the text does not parse. */
function addressBytes(a: AddressLike): number[] | null {
  try {
    return a.family === 4 ? ipaddr.IPv4.parse(a.address).toByteArray() : ipaddr.IPv6.parse(a.address).toByteArray();
  } catch {
    return null;
  }
}

/**
 * True for loopback addresses: 127.0.0.0/8, ::1, and IPv4-mapped loopback
 * (`::ffff:127.x.y.z`), since a mapped address reaches the same host.
 * Returns false for text that does not parse (never throws); callers only
 * hold canonical addresses, so that case does not arise in practice.
 */
export function isLoopbackAddress(a: AddressLike): boolean {
  const bytes = addressBytes(a);
  if (!bytes) return false;
  if (a.family === 4) return bytes[0] === 127;
  const mapped = bytes.slice(0, 10).every((x) => x === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (mapped) return bytes[12] === 127;
  return bytes.slice(0, 15).every((x) => x === 0) && bytes[15] === 1;
}

/**
 * True for an address no VL server can be reached at from here: loopback
 * (never published from DNS), unspecified, multicast, or IPv4 broadcast.
 * False for text that does not parse.
 */
export function isUnreachableAddress(a: AddressLike): boolean {
  if (isLoopbackAddress(a)) return true;
  const bytes = addressBytes(a);
  if (!bytes) return false;
  if (bytes.every((x) => x === 0)) return true; // 0.0.0.0, ::
  if (a.family === 4) return bytes[0]! >= 224; // multicast 224/4, reserved 240/4, broadcast
  return bytes[0] === 0xff; // IPv6 multicast ff00::/8
}

/**
 * The address as the kernel's `%pISpc` prints it: `192.0.2.1:7003` or
 * `[2001:db8::1]:7003` (brackets so the port is not read as a group).
 */
export function formatAddressWithPort(a: VlAddress): string {
  return a.family === 6 ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}

/**
 * Orders addresses: IPv4 before IPv6, then by numeric byte value (so
 * 192.0.2.9 < 192.0.2.10, which text order would get wrong), then by port.
 * Returns <0, 0 or >0 like any comparator.  Unparseable text sorts after
 * parseable text of the same family, by string, so the order stays total.
 */
export function compareAddresses(a: VlAddress, b: VlAddress): number {
  if (a.family !== b.family) return a.family - b.family;
  const ab = addressBytes(a);
  const bb = addressBytes(b);
  if (ab && bb) {
    for (let i = 0; i < ab.length; i++) {
      const d = (ab[i] ?? 0) - (bb[i] ?? 0);
      if (d !== 0) return d;
    }
  } else if (ab || bb) {
    return ab ? -1 : 1;
  } else if (a.address !== b.address) {
    return a.address < b.address ? -1 : 1;
  }
  return a.port - b.port;
}

/** True if the two name the same endpoint (family, address and port). */
export function sameAddress(a: VlAddress, b: VlAddress): boolean {
  return a.family === b.family && a.address === b.address && a.port === b.port;
}

/** A key for de-duplication in a Map/Set: family, canonical address and port. */
export function addressKey(a: VlAddress): string {
  return `${a.family}/${a.address}/${a.port}`;
}
