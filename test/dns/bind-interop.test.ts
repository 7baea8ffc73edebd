/**
 * The resolver against a real BIND 9 (authoritative only, zone
 * test/fixtures/named/db.test, on loopback).  Fails, rather than skips, when
 * /usr/sbin/named is missing: install bind9 and bind9-dnsutils.
 */
import t from 'tap';
import { DnsVlResolver } from '../../src/dns/dns-resolver.js';
import type { VlLookupResult } from '../../src/dns/resolver.js';
import { DnsTransport } from '../../src/dns/transport.js';
import { NAMED_PATH, namedAvailable, startNamed } from '../fixtures/named.js';

function summary(r: VlLookupResult): string[] {
  return r.list.servers.map(
    (s) =>
      `${s.name} p=${s.priority} w=${s.weight} port=${s.port}: ` +
      s.addresses.map((x) => (x.family === 6 ? `[${x.address}]:${x.port}` : `${x.address}:${x.port}`)).join(' '),
  );
}

interface Expect {
  readonly status: string;
  readonly source: string;
  readonly ttl?: number;
  readonly servers: string[];
}

const CASES: Record<string, Expect> = {
  'example.test': {
    status: 'good',
    source: 'SRV',
    ttl: 120,
    servers: [
      'vl1.example.test p=10 w=50 port=7003: 192.0.2.11:7003 [2001:db8::11]:7003',
      'vl2.example.test p=20 w=40 port=7003: 192.0.2.12:7003 [2001:db8::12]:7003',
    ],
  },
  'afsdb.test': {
    status: 'good',
    source: 'AFSDB',
    ttl: 450,
    servers: [
      'afs1.afsdb.test p=0 w=0 port=7003: 192.0.2.21:7003',
      'afs2.afsdb.test p=0 w=0 port=7003: 192.0.2.22:7003 [2001:db8::22]:7003',
    ],
  },
  'both.test': {
    status: 'good',
    source: 'SRV',
    ttl: 150,
    servers: ['srv1.both.test p=0 w=0 port=7003: 192.0.2.31:7003'],
  },
  'big.test': {
    status: 'good',
    source: 'SRV',
    ttl: 270,
    servers: [1, 2, 3, 4].flatMap((p) =>
      [50, 40, 30, 20, 10].map((w) => {
        const n = (p - 1) * 5 + w / 10;
        return `afs-vlserver-${String(n).padStart(2, '0')}.big.test p=${p} w=${w} port=7003: 198.51.100.${n}:7003`;
      }),
    ),
  },
  'alias.test': {
    status: 'good',
    source: 'SRV',
    ttl: 240,
    servers: ['vl.alias.test p=0 w=0 port=7004: 192.0.2.51:7004 [2001:db8::51]:7004'],
  },
  'v6only.test': {
    status: 'good',
    source: 'SRV',
    ttl: 420,
    servers: ['vl.v6only.test p=0 w=0 port=7003: [2001:db8::61]:7003'],
  },
  'UPPER.Test': {
    status: 'good',
    source: 'SRV',
    ttl: 100,
    servers: ['vl1.upper.test p=5 w=7 port=7003: 192.0.2.71:7003'],
  },
  'lo.test': {
    status: 'good',
    source: 'SRV',
    ttl: 200,
    servers: ['b.lo.test p=1 w=0 port=7003: 192.0.2.81:7003'],
  },
  'zero.test': {
    status: 'good',
    source: 'SRV',
    ttl: 0,
    servers: ['vl.zero.test p=0 w=0 port=7003: 192.0.2.91:7003'],
  },
  'noservice.test': { status: 'not-found', source: 'SRV', servers: [] },
  'nodata.test': { status: 'not-found', source: 'unav', servers: [] },
  'nosuchcell.test': { status: 'not-found', source: 'unav', servers: [] },
  // Outside the zone: BIND answers REFUSED.
  'example.invalid': { status: 'temp-failure', source: 'unav', servers: [] },
};

t.test('BIND interop', async (t) => {
  if (!namedAvailable()) {
    t.fail(`${NAMED_PATH} is missing: install it with apt-get install bind9 bind9-dnsutils`);
    return;
  }
  const named = await startNamed();
  t.teardown(() => named.stop());

  for (const host of ['127.0.0.1', '::1']) {
    await t.test(`resolver over ${host}`, async (t) => {
      const transport = new DnsTransport({ servers: [{ host, port: named.port }], timeoutMs: 2000 });
      const warnings: string[] = [];
      const resolver = new DnsVlResolver(transport, (m) => warnings.push(m));
      t.teardown(async () => {
        await resolver.close();
        await transport.close();
      });
      for (const [cell, want] of Object.entries(CASES)) {
        const r = await resolver.lookup(cell, new AbortController().signal);
        t.equal(r.list.status, want.status, `${cell}: status`);
        t.equal(r.list.source, want.source, `${cell}: source`);
        t.equal(r.ttl, want.ttl, `${cell}: ttl`);
        t.same(summary(r), want.servers, `${cell}: servers`);
      }
      t.ok(transport.stats.tcpExchanges >= 1, 'big.test went over TCP');
      t.match(warnings.join('\n'), /lo\.test: a\.lo\.test: dropped loopback/);
    });
  }

  const log = named.log();
  t.match(log, /_afs3-vlserver\._udp\.big\.test IN SRV \+ \(127\.0\.0\.1\)/, 'UDP query logged');
  t.match(log, /_afs3-vlserver\._udp\.big\.test IN SRV \+T \(127\.0\.0\.1\)/, 'then TCP (+T), IPv4');
  t.match(log, /_afs3-vlserver\._udp\.big\.test IN SRV \+T \(::1\)/, 'and TCP over ::1');
  t.notMatch(log, /dce\.afsdb\.test/, 'the subtype-2 AFSDB host was never asked for');
});
