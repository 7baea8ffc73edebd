/**
 * Name server addresses: parsing `--dns-server HOST[:PORT]` and resolv.conf
 * text, in the exact spelling the UDP client will see replies come from.
 */
import net from 'node:net';
import ipaddr from 'ipaddr.js';
import { AfsError } from '../errors.js';
import { parseIPv4Strict, parseIPv6Strict } from '../vl/address.js';

export interface DnsServerAddress {
  /** An IPv4 or IPv6 literal (no brackets, no zone id). */
  readonly host: string;
  readonly port: number;
}

/**
 * Parses the CLI's `--dns-server HOST[:PORT]`: `127.0.0.1`, `127.0.0.1:5300`,
 * `::1`, `[::1]`, `[::1]:5300`.  The port defaults to 53.  Host names are not
 * accepted (they would need a resolver to find the resolver), nor are
 * non-decimal IPv4 forms or IPv6 zone ids.  Throws AfsError EINVAL.
 */
export function parseDnsServer(spec: string): DnsServerAddress {
  const fail = (why: string): never => {
    throw new AfsError('EINVAL', `bad DNS server "${spec}": ${why} (expected IPv4[:PORT], IPv6 or [IPv6]:PORT)`);
  };
  let host: string;
  let portText: string | undefined;
  if (spec.startsWith('[')) {
    const m = /^\[([^\]]*)\](?::(.*))?$/.exec(spec);
    if (!m) return fail('unbalanced brackets');
    host = m[1] ?? '';
    portText = m[2];
    if (parseIPv6Strict(host) === null) return fail('not an IPv6 address inside [ ]');
  } else if (spec.indexOf(':') !== spec.lastIndexOf(':')) {
    host = spec;
    if (parseIPv6Strict(host) === null) return fail('not an IPv6 address (write [IPv6]:PORT to give a port)');
  } else {
    const colon = spec.indexOf(':');
    host = colon >= 0 ? spec.slice(0, colon) : spec;
    portText = colon >= 0 ? spec.slice(colon + 1) : undefined;
    if (parseIPv4Strict(host) === null) return fail('not a dotted-decimal IPv4 address');
  }
  let port = 53;
  if (portText !== undefined) {
    if (!/^[0-9]{1,5}$/.test(portText)) return fail('bad port');
    port = Number(portText);
    if (port < 1 || port > 65535) return fail('port out of range');
  }
  return { host: canonicalHost(host), port };
}

/**
 * The text Node reports as a datagram's source address for this server
 * (dns2's UDPClient drops replies whose source differs from the configured
 * text): RFC 5952 for IPv6, with a dotted tail for IPv4-mapped addresses.
 */
export function canonicalHost(host: string): string {
  if (!net.isIPv6(host)) return host;
  const v6 = ipaddr.IPv6.parse(host);
  return v6.isIPv4MappedAddress() ? `::ffff:${v6.toIPv4Address().toString()}` : v6.toRFC5952String();
}

/**
 * The name servers of a resolv.conf text (`nameserver ADDR` lines, port 53),
 * for `--dns` without `--dns-server`.  Only parses the text it is given: the
 * caller reads the file.  Entries that are not IP literals, or carry an IPv6
 * zone id, are skipped.  May return an empty list.
 */
export function parseResolvConf(text: string): DnsServerAddress[] {
  const servers: DnsServerAddress[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const m = /^nameserver\s+(\S+)$/.exec(line);
    if (!m || m[1] === undefined) continue;
    const host = m[1];
    if (parseIPv4Strict(host) !== null || parseIPv6Strict(host) !== null) servers.push({ host: canonicalHost(host), port: 53 });
  }
  return servers;
}

/** `192.0.2.1:53` or `[2001:db8::1]:53`, for messages. */
export function describeServer(server: DnsServerAddress): string {
  return net.isIPv6(server.host) ? `[${server.host}]:${server.port}` : `${server.host}:${server.port}`;
}
