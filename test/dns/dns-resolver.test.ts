import t, { type Test } from 'tap';
import dns2 from 'dns2';
import { isAfsError } from '../../src/errors.js';
import { DnsVlResolver } from '../../src/dns/dns-resolver.js';
import { addAfsdbCell, srvOwner } from '../fixtures/sample-cells.js';
import { DnsTransport, type DnsTransportOptions } from '../../src/dns/transport.js';
import type { VlLookupResult } from '../../src/dns/resolver.js';
import { TestDnsServer, a, aaaa, afsdb, cname, srv, type StartOptions } from '../fixtures/dns-server.js';
import { rejectsWith } from '../fixtures/dns-assert.js';

const { Packet } = dns2;

const SRV = srvOwner;

interface Setup {
  dns: TestDnsServer;
  resolver: DnsVlResolver;
  transport: DnsTransport;
  warnings: string[];
  lookup(cell: string, signal?: AbortSignal): Promise<VlLookupResult>;
}

async function setup(
  t: Test,
  opts: { server?: StartOptions; transport?: Partial<DnsTransportOptions>; lookupTimeoutMs?: number } = {},
): Promise<Setup> {
  const dns = await TestDnsServer.start(opts.server);
  const transport = new DnsTransport({ servers: [dns.address], timeoutMs: 1000, ...opts.transport });
  const warnings: string[] = [];
  const resolver = new DnsVlResolver(transport, (m) => warnings.push(m), { lookupTimeoutMs: opts.lookupTimeoutMs });
  t.teardown(async () => {
    await resolver.close();
    await transport.close();
    await dns.close();
  });
  return {
    dns,
    resolver,
    transport,
    warnings,
    lookup: (cell, signal) => resolver.lookup(cell, signal ?? new AbortController().signal),
  };
}

/** A compact view of a result: `name p=P w=W port=N source,status: addr:port …`. */
function summary(r: VlLookupResult): string[] {
  return r.list.servers.map(
    (s) =>
      `${s.name} p=${s.priority} w=${s.weight} port=${s.port} ${s.source},${s.status}: ` +
      s.addresses.map((x) => (x.family === 6 ? `[${x.address}]:${x.port}` : `${x.address}:${x.port}`)).join(' '),
  );
}

t.test('SRV only: priorities, weights and ports kept; ttl is the minimum', async (t) => {
  const { dns, lookup } = await setup(t);
  dns.add(SRV('example.test'), srv(20, 50, 7003, 'vl2.example.test', 300), srv(10, 50, 7005, 'vl1.example.test', 300));
  dns.add('vl1.example.test', a('192.0.2.11', 120), aaaa('2001:db8::11', 240));
  dns.add('vl2.example.test', a('192.0.2.12', 180), aaaa('2001:db8::12', 360));
  dns.add('example.test', afsdb(1, 'never.example.test', 900));
  const r = await lookup('example.test');
  t.equal(r.list.source, 'SRV');
  t.equal(r.list.status, 'good');
  t.equal(r.ttl, 120);
  t.same(summary(r), [
    'vl1.example.test p=10 w=50 port=7005 SRV,good: 192.0.2.11:7005 [2001:db8::11]:7005',
    'vl2.example.test p=20 w=50 port=7003 SRV,good: 192.0.2.12:7003 [2001:db8::12]:7003',
  ]);
  t.equal(dns.count('example.test', 'AFSDB'), 0, 'no AFSDB query once SRV answered');
  t.equal(dns.count(SRV('example.test'), 'SRV'), 1);
});

t.test('ttl can come from the SRV record', async (t) => {
  const { dns, lookup } = await setup(t);
  dns.add(SRV('short.test'), srv(0, 0, 7003, 'vl.short.test', 45));
  dns.add('vl.short.test', a('192.0.2.1', 600));
  const r = await lookup('short.test');
  t.equal(r.ttl, 45);
});

t.test('AFSDB only: subtype 1 used, subtype 2 ignored, p=0 w=0 port 7003', async (t) => {
  const { dns, lookup } = await setup(t);
  addAfsdbCell(dns);
  const r = await lookup('afsdb.test');
  t.equal(r.list.source, 'AFSDB');
  t.equal(r.list.status, 'good');
  t.equal(r.ttl, 450, 'min over AFSDB 900, A 450/600, AAAA 500; not the DCE host\'s 60');
  t.same(summary(r), [
    'afs1.afsdb.test p=0 w=0 port=7003 AFSDB,good: 192.0.2.21:7003',
    'afs2.afsdb.test p=0 w=0 port=7003 AFSDB,good: 192.0.2.22:7003 [2001:db8::22]:7003',
  ]);
  t.equal(dns.count('dce.afsdb.test'), 0, 'the subtype-2 host is never looked up');
  t.equal(dns.count(SRV('afsdb.test'), 'SRV'), 1, 'SRV asked first');
});

t.test('only subtype-2 AFSDB records: not-found', async (t) => {
  const { dns, lookup } = await setup(t);
  dns.add('dceonly.test', afsdb(2, 'dce.dceonly.test'));
  dns.add('dce.dceonly.test', a('192.0.2.1'));
  const r = await lookup('dceonly.test');
  t.equal(r.list.status, 'not-found');
  t.equal(r.list.source, 'unav');
  t.equal(r.ttl, undefined);
});

t.test('SRV and AFSDB both present: SRV wins', async (t) => {
  const { dns, lookup } = await setup(t);
  dns.add(SRV('both.test'), srv(0, 0, 7003, 'srv1.both.test', 150));
  dns.add('both.test', afsdb(1, 'old1.both.test', 450));
  dns.add('srv1.both.test', a('192.0.2.31', 200));
  dns.add('old1.both.test', a('192.0.2.41', 200));
  const r = await lookup('both.test');
  t.equal(r.list.source, 'SRV');
  t.same(summary(r), ['srv1.both.test p=0 w=0 port=7003 SRV,good: 192.0.2.31:7003']);
  t.equal(r.ttl, 150);
  t.equal(dns.count('both.test', 'AFSDB'), 0);
  t.equal(dns.count('old1.both.test'), 0);
});

t.test('NXDOMAIN for both: not-found, no servers, no ttl', async (t) => {
  const { dns, lookup } = await setup(t);
  const r = await lookup('nosuchcell.test');
  t.equal(r.list.status, 'not-found');
  t.equal(r.list.source, 'unav');
  t.same(r.list.servers, []);
  t.equal(r.ttl, undefined);
  t.equal(dns.count(SRV('nosuchcell.test'), 'SRV'), 1);
  t.equal(dns.count('nosuchcell.test', 'AFSDB'), 1);
});

t.test('NODATA for both: not-found', async (t) => {
  const { dns, lookup } = await setup(t);
  dns.add(SRV('nodata.test'), { type: 'TXT', text: 'not an SRV' });
  dns.add('nodata.test', a('192.0.2.1'));
  const r = await lookup('nodata.test');
  t.equal(r.list.status, 'not-found');
  t.equal(dns.count('nodata.test', 'AFSDB'), 1);
});

for (const mode of ['servfail', 'refused'] as const) {
  t.test(`${mode} on SRV: temp-failure, no AFSDB fallback`, async (t) => {
    const { dns, lookup } = await setup(t);
    dns.add('broken.test', afsdb(1, 'afs.broken.test'));
    dns.add('afs.broken.test', a('192.0.2.1'));
    dns.fail(SRV('broken.test'), 'SRV', mode);
    const r = await lookup('broken.test');
    t.equal(r.list.status, 'temp-failure');
    t.equal(r.list.source, 'unav');
    t.same(r.list.servers, []);
    t.equal(dns.count('broken.test', 'AFSDB'), 0);
  });
}

t.test('SERVFAIL on AFSDB after SRV NXDOMAIN: temp-failure', async (t) => {
  const { dns, lookup } = await setup(t);
  dns.fail('afsfail.test', 'AFSDB', 'servfail');
  const r = await lookup('afsfail.test');
  t.equal(r.list.status, 'temp-failure');
});

t.test('a silent server: temp-failure, and the lookup settles', async (t) => {
  const { dns, lookup } = await setup(t, { transport: { timeoutMs: 100 } });
  dns.fail('*', '*', 'silent');
  const r = await lookup('silent.test');
  t.equal(r.list.status, 'temp-failure');
  t.equal(dns.count(SRV('silent.test'), 'SRV'), 2, 'two tries');
  t.equal(dns.count('silent.test', 'AFSDB'), 0, 'no AFSDB after a timeout');
});

t.test('the lookup bound: a held answer ends in temp-failure', async (t) => {
  const { dns, lookup, warnings, transport } = await setup(t, { lookupTimeoutMs: 150 });
  const hold = dns.hold('*');
  const r = await lookup('slow.test');
  t.equal(r.list.status, 'temp-failure');
  t.match(warnings.join('\n'), /gave up after 150 ms/);
  t.equal(transport.inFlight, 0, 'its query slot was given back');
  hold.release();
});

t.test('truncated SRV answer: 70 servers over TCP, 64-address limit holds', async (t) => {
  const { dns, lookup, warnings } = await setup(t);
  const cell = 'big.test';
  for (let i = 0; i < 70; i++) {
    dns.add(SRV(cell), srv(i % 5, 10, 7003, `vl${i}.big.test`, 300));
    dns.add(`vl${i}.big.test`, a(`192.0.2.${i + 1}`, 300));
  }
  // One server with 70 IPv4 and 2 IPv6 addresses: its answer is truncated too.
  dns.set('vl0.big.test', 'A', ...Array.from({ length: 70 }, (_, j) => a(`198.51.100.${j + 1}`, 300)));
  dns.add('vl0.big.test', aaaa('2001:db8::1', 300), aaaa('2001:db8::2', 300));
  const r = await lookup(cell);
  t.equal(r.list.status, 'good');
  t.equal(r.list.servers.length, 70);
  t.equal(dns.count(SRV(cell), 'SRV', 'udp'), 1);
  t.equal(dns.count(SRV(cell), 'SRV', 'tcp'), 1, 'TC → TCP');
  t.equal(dns.count('vl0.big.test', 'A', 'tcp'), 1);
  const vl0 = r.list.servers.find((s) => s.name === 'vl0.big.test');
  t.equal(vl0?.addresses.length, 64, 'at most 64 addresses');
  t.equal(vl0?.addresses.filter((x) => x.family === 6).length, 0, 'IPv4 first, so the IPv6 ones fell off');
  t.match(warnings.join('\n'), /vl0\.big\.test: 72 addresses, keeping 64/);
  const prios = r.list.servers.map((s) => s.priority);
  t.same(prios, [...prios].sort((x, y) => x - y), 'sorted by priority');
});

t.test('more than 255 SRV targets: 255 kept, the rest never looked up', async (t) => {
  const { dns, lookup, warnings } = await setup(t, { transport: { maxInFlight: 64 } });
  const cell = 'huge.test';
  for (let i = 0; i < 300; i++) {
    const host = `h${String(i).padStart(3, '0')}.huge.test`;
    dns.add(SRV(cell), srv(i < 150 ? 1 : 2, 0, 7003, host, 300));
    dns.add(host, a(`10.${Math.floor(i / 250)}.${i % 250}.1`, 300));
  }
  const r = await lookup(cell);
  t.equal(r.list.status, 'good');
  t.equal(r.list.servers.length, 255);
  t.equal(r.list.servers[0]?.name, 'h000.huge.test');
  t.equal(r.list.servers[254]?.name, 'h254.huge.test');
  t.equal(dns.count('h255.huge.test'), 0);
  t.equal(dns.count('h299.huge.test'), 0);
  t.match(warnings.join('\n'), /300 VL servers in DNS, keeping 255/);
});

for (const chaseCnames of [true, false]) {
  t.test(`CNAME target (${chaseCnames ? 'chain in the answer' : 'one link per query'})`, async (t) => {
    const { dns, lookup } = await setup(t, { server: { chaseCnames } });
    dns.add(SRV('alias.test'), srv(0, 0, 7003, 'vl.alias.test', 300));
    dns.add('vl.alias.test', cname('mid.alias.test', 90));
    dns.add('mid.alias.test', cname('real.alias.test', 200));
    dns.add('real.alias.test', a('192.0.2.51', 250), aaaa('2001:db8::51', 250));
    const r = await lookup('alias.test');
    t.equal(r.list.status, 'good');
    t.same(summary(r), ['vl.alias.test p=0 w=0 port=7003 SRV,good: 192.0.2.51:7003 [2001:db8::51]:7003']);
    t.equal(r.ttl, 90, 'the CNAME TTLs count');
    t.equal(dns.count('real.alias.test', 'A'), chaseCnames ? 0 : 1);
  });
}

t.test('a CNAME loop is bad', async (t) => {
  const { dns, lookup } = await setup(t, { server: { chaseCnames: false } });
  dns.add(SRV('loop.test'), srv(0, 0, 7003, 'x.loop.test'));
  dns.add('x.loop.test', cname('y.loop.test'));
  dns.add('y.loop.test', cname('x.loop.test'));
  const r = await lookup('loop.test');
  t.equal(r.list.status, 'bad');
  t.equal(r.list.source, 'SRV');
});

t.test('a CNAME chain longer than 8 is not followed to its end', async (t) => {
  const { dns, lookup } = await setup(t, { server: { chaseCnames: false } });
  dns.add(SRV('long.test'), srv(0, 0, 7003, 'c0.long.test'));
  for (let i = 0; i < 12; i++) dns.add(`c${i}.long.test`, cname(`c${i + 1}.long.test`));
  dns.add('c12.long.test', a('192.0.2.1'));
  const r = await lookup('long.test');
  t.equal(r.list.status, 'bad');
  t.equal(dns.count('c9.long.test'), 0);
});

t.test('TTL 0 is reported as 0', async (t) => {
  const { dns, lookup } = await setup(t);
  dns.add(SRV('zero.test'), srv(0, 0, 7003, 'vl.zero.test', 0));
  dns.add('vl.zero.test', a('192.0.2.1', 3600));
  const r = await lookup('zero.test');
  t.equal(r.list.status, 'good');
  t.equal(r.ttl, 0);
});

t.test('upper-case query and answers', async (t) => {
  const { dns, lookup } = await setup(t);
  dns.add('_AFS3-VLSERVER._UDP.UPPER.TEST', srv(5, 7, 7003, 'VL1.UPPER.TEST', 300));
  dns.add('VL1.UPPER.TEST', a('192.0.2.61', 100));
  const r = await lookup('Upper.TEST');
  t.equal(r.list.status, 'good');
  t.same(summary(r), ['vl1.upper.test p=5 w=7 port=7003 SRV,good: 192.0.2.61:7003']);
  t.same(
    dns.queries.map((q) => q.name),
    ['_afs3-vlserver._udp.upper.test', 'vl1.upper.test', 'vl1.upper.test'],
    'queries are lower-cased',
  );
});

t.test('duplicate targets are merged (case-insensitively, best record kept)', async (t) => {
  const { dns, lookup } = await setup(t);
  dns.add(
    SRV('dup.test'),
    srv(20, 5, 7003, 'vl1.dup.test'),
    srv(10, 5, 7003, 'VL1.DUP.TEST'),
    srv(10, 5, 7004, 'vl1.dup.test.'),
    srv(30, 0, 7003, 'vl2.dup.test'),
  );
  dns.add('vl1.dup.test', a('192.0.2.71'));
  dns.add('vl2.dup.test', a('192.0.2.72'));
  const r = await lookup('dup.test');
  t.same(summary(r), [
    'vl1.dup.test p=10 w=5 port=7003 SRV,good: 192.0.2.71:7003',
    'vl2.dup.test p=30 w=0 port=7003 SRV,good: 192.0.2.72:7003',
  ]);
  t.equal(dns.count('vl1.dup.test', 'A'), 1, 'looked up once');
});

t.test('an IPv6-only host', async (t) => {
  const { dns, lookup } = await setup(t);
  dns.add(SRV('v6only.test'), srv(0, 0, 7003, 'vl.v6only.test', 300));
  dns.add('vl.v6only.test', aaaa('2001:DB8:0:0::81', 77));
  const r = await lookup('v6only.test');
  t.equal(r.list.status, 'good');
  t.same(summary(r), ['vl.v6only.test p=0 w=0 port=7003 SRV,good: [2001:db8::81]:7003']);
  t.equal(r.ttl, 77);
});

t.test('the name server on ::1, over UDP and (after TC) TCP', async (t) => {
  const { dns, lookup } = await setup(t, { server: { host: '::1' } });
  dns.add(SRV('six.test'), srv(0, 0, 7003, 'vl.six.test'));
  dns.add('vl.six.test', a('192.0.2.91'));
  let r = await lookup('six.test');
  t.same(summary(r), ['vl.six.test p=0 w=0 port=7003 SRV,good: 192.0.2.91:7003']);
  t.equal(dns.countTransport('tcp'), 0);
  for (let i = 0; i < 40; i++) dns.add(SRV('bigsix.test'), srv(0, i, 7003, `vl${i}.bigsix.test`));
  dns.add('vl0.bigsix.test', a('192.0.2.92'));
  r = await lookup('bigsix.test');
  t.equal(r.list.status, 'good');
  t.same(summary(r), ['vl0.bigsix.test p=0 w=0 port=7003 SRV,good: 192.0.2.92:7003']);
  t.equal(dns.count(SRV('bigsix.test'), 'SRV', 'tcp'), 1);
});

t.test('loopback and unspecified addresses are never published', async (t) => {
  const { dns, lookup, warnings } = await setup(t);
  dns.add(SRV('lo.test'), srv(0, 0, 7003, 'a.lo.test'), srv(1, 0, 7003, 'b.lo.test'));
  dns.add('a.lo.test', a('127.0.0.1'), aaaa('::1'), a('192.0.2.101'), aaaa('::ffff:127.0.0.2'));
  dns.add('b.lo.test', a('127.0.1.1'), a('0.0.0.0'));
  const r = await lookup('lo.test');
  t.same(summary(r), ['a.lo.test p=0 w=0 port=7003 SRV,good: 192.0.2.101:7003']);
  t.match(warnings.join('\n'), /dropped loopback/);

  dns.add(SRV('onlylo.test'), srv(0, 0, 7003, 'x.onlylo.test'));
  dns.add('x.onlylo.test', a('127.0.0.1'));
  const r2 = await lookup('onlylo.test');
  t.equal(r2.list.status, 'not-found');
  t.same(r2.list.servers, []);
});

t.test('SRV target "." means no service: not-found, no AFSDB', async (t) => {
  const { dns, lookup } = await setup(t);
  dns.add(SRV('noservice.test'), srv(0, 0, 0, '.'));
  dns.add('noservice.test', afsdb(1, 'afs.noservice.test'));
  const r = await lookup('noservice.test');
  t.equal(r.list.status, 'not-found');
  t.equal(r.list.source, 'SRV');
  t.equal(dns.count('noservice.test', 'AFSDB'), 0);
});

t.test('SRV records with an odd target or port 0 are ignored, with a warning', async (t) => {
  const { dns, lookup, warnings } = await setup(t);
  dns.add(
    SRV('odd.test'),
    srv(0, 0, 7003, 'bad name.odd.test'),
    srv(0, 0, 0, 'zero.odd.test'),
    srv(1, 0, 7003, 'ok.odd.test'),
  );
  dns.add('ok.odd.test', a('192.0.2.141'));
  dns.add('zero.odd.test', a('192.0.2.142'));
  const r = await lookup('odd.test');
  t.same(summary(r), ['ok.odd.test p=1 w=0 port=7003 SRV,good: 192.0.2.141:7003']);
  t.match(warnings.join('\n'), /"bad name\.odd\.test" is not a host name/);
  t.match(warnings.join('\n'), /zero\.odd\.test has port 0/);
  t.equal(dns.count('zero.odd.test'), 0);

  // Nothing usable left: bad.
  dns.add(SRV('allodd.test'), srv(0, 0, 7003, 'bad name.allodd.test'));
  const r2 = await lookup('allodd.test');
  t.equal(r2.list.status, 'bad');
  t.equal(r2.list.source, 'SRV');
});

t.test('targets that do not resolve', async (t) => {
  const { dns, lookup } = await setup(t);
  // One resolves, one is NXDOMAIN, one fails: good with one server.
  dns.add(SRV('part.test'), srv(0, 0, 7003, 'ok.part.test'), srv(0, 0, 7003, 'gone.part.test'), srv(0, 0, 7003, 'fail.part.test'));
  dns.add('ok.part.test', a('192.0.2.111'));
  dns.fail('fail.part.test', '*', 'servfail');
  const r = await lookup('part.test');
  t.equal(r.list.status, 'good');
  t.same(summary(r), ['ok.part.test p=0 w=0 port=7003 SRV,good: 192.0.2.111:7003']);

  // None resolves, all NXDOMAIN: not-found (with the source kept).
  dns.add(SRV('none.test'), srv(0, 0, 7003, 'gone.none.test'));
  const r2 = await lookup('none.test');
  t.equal(r2.list.status, 'not-found');
  t.equal(r2.list.source, 'SRV');

  // None resolves and one failed: temp-failure (worth a quick retry).
  dns.add(SRV('tmp.test'), srv(0, 0, 7003, 'gone.tmp.test'), srv(0, 0, 7003, 'fail.tmp.test'));
  dns.fail('fail.tmp.test', 'AAAA', 'refused');
  const r3 = await lookup('tmp.test');
  t.equal(r3.list.status, 'temp-failure');
});

t.test('a malformed SRV answer is bad', async (t) => {
  const { dns, lookup, warnings } = await setup(t);
  dns.respond(SRV('mal.test'), 'SRV', (req) => {
    const res = Packet.createResponseFromRequest(req);
    res.header.aa = 1;
    const good = res.toBuffer();
    // Append one SRV answer whose RDATA is 3 octets (too short) and bump ANCOUNT.
    const rr = Buffer.from('c00c' + '0021' + '0001' + '0000012c' + '0003' + '000102', 'hex');
    const out = Buffer.concat([good, rr]);
    out.writeUInt16BE(1, 6);
    return out;
  });
  const r = await lookup('mal.test');
  t.equal(r.list.status, 'bad');
  t.same(r.list.servers, []);
  t.equal(dns.count('mal.test', 'AFSDB'), 0);
  t.match(warnings.join('\n'), /malformed/);
});

t.test('abort via signal rejects with the reason; close rejects with ESHUTDOWN', async (t) => {
  const { dns, resolver, transport } = await setup(t);
  const hold = dns.hold('*');
  const ac = new AbortController();
  const p = resolver.lookup('abort.test', ac.signal);
  await hold.waitForPending(1);
  const reason = new Error('shutting down');
  const check = rejectsWith(t, p, (e) => e === reason);
  ac.abort(reason);
  await check;
  t.equal(transport.inFlight, 0);
  await rejectsWith(t, resolver.lookup('again.test', ac.signal), (e) => e === reason, 'an aborted signal rejects at once');

  const p2 = resolver.lookup('closing.test', new AbortController().signal);
  await hold.waitForPending(2);
  const check2 = rejectsWith(t, p2, (e) => isAfsError(e, 'ESHUTDOWN'));
  await resolver.close();
  await check2;
  await rejectsWith(t, resolver.lookup('after.test', new AbortController().signal), (e) => isAfsError(e, 'ESHUTDOWN'));
  hold.release();
});

t.test('in-flight bound across cells: the third SRV query waits', async (t) => {
  const { dns, lookup, transport } = await setup(t, { transport: { maxInFlight: 2, timeoutMs: 2000 } });
  for (const c of ['c1', 'c2', 'c3']) {
    dns.add(SRV(`${c}.test`), srv(0, 0, 7003, `vl.${c}.test`));
    dns.add(`vl.${c}.test`, a('192.0.2.121'));
  }
  const hold = dns.hold('*', 'SRV');
  const lookups = ['c1', 'c2', 'c3'].map((c) => lookup(`${c}.test`));
  await hold.waitForPending(2);
  t.equal(dns.active, 2);
  t.equal(transport.queued, 1);
  t.equal(dns.count(SRV('c3.test'), 'SRV'), 0, 'the third cell has not asked yet');
  t.ok(hold.releaseOne());
  await dns.waitForQueries(SRV('c3.test'), 'SRV', 1);
  hold.release();
  const results = await Promise.all(lookups);
  t.same(
    results.map((r) => r.list.status),
    ['good', 'good', 'good'],
  );
  t.ok(dns.maxActive <= 2, `at most 2 queries at the server at once (saw ${dns.maxActive})`);
});

t.test('resolver built from transport options owns (and closes) its transport', async (t) => {
  const dns = await TestDnsServer.start();
  t.teardown(() => dns.close());
  dns.add(SRV('own.test'), srv(0, 0, 7003, 'vl.own.test'));
  dns.add('vl.own.test', a('192.0.2.131'));
  const resolver = new DnsVlResolver({ servers: [dns.address], timeoutMs: 500 });
  const r = await resolver.lookup('own.test', new AbortController().signal);
  t.equal(r.list.status, 'good');
  t.equal(resolver.lookupTimeoutMs, 3000);
  await resolver.close();
  t.ok(resolver.transport.closed);
});


t.test('multicast, broadcast and unspecified addresses are never published', async (t) => {
  const { dns, lookup, warnings } = await setup(t);
  dns.add('_afs3-vlserver._udp.mc.test', srv(0, 0, 7003, 'vl.mc.test'));
  dns.add('vl.mc.test', a('224.0.0.1'), a('255.255.255.255'), a('192.0.2.77'), aaaa('ff02::1'));
  const r = await lookup('mc.test');
  t.same(summary(r), ['vl.mc.test p=0 w=0 port=7003 SRV,good: 192.0.2.77:7003']);
  t.ok(warnings.some((w) => w.includes('224.0.0.1') && w.includes('255.255.255.255') && w.includes('ff02::1')));
});

t.test('a name too long for the SRV prefix is still looked up as AFSDB', async (t) => {
  const { dns, lookup } = await setup(t);
  const long = `${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(50)}.test`; // 240 bytes
  dns.add(long, afsdb(1, 'vl.long.test'));
  dns.add('vl.long.test', a('192.0.2.78'));
  const r = await lookup(long);
  t.equal(r.list.source, 'AFSDB');
  t.same(summary(r), ['vl.long.test p=0 w=0 port=7003 AFSDB,good: 192.0.2.78:7003']);
});
