import t from 'tap';
import {
  DUMMY_SERVER_NAME,
  buildVlServerList,
  countAddresses,
  dummyVlServerList,
  emptyVlServerList,
  hasServers,
  renderVlservers,
} from '../../src/vl/vl-list.js';
import { MAX_VL_ADDRESSES, MAX_VL_SERVERS, type VlAddress } from '../../src/vl/types.js';

const v4 = (address: string, port = 7003): VlAddress => ({ family: 4, address, port });
const v6 = (address: string, port = 7003): VlAddress => ({ family: 6, address, port });

t.test('emptyVlServerList', async (t) => {
  const e = emptyVlServerList();
  t.same(e, { source: 'unav', status: 'no-lookup', servers: [] });
  t.equal(renderVlservers(e), '# source unav, status no-lookup\n');
  t.same(emptyVlServerList('SRV', 'not-found'), { source: 'SRV', status: 'not-found', servers: [] });
  t.equal(renderVlservers(emptyVlServerList('SRV', 'temp-failure')), '# source SRV, status temp-failure\n');
  t.ok(Object.isFrozen(e) && Object.isFrozen(e.servers));
  t.equal(hasServers(e), false);
  t.equal(countAddresses(e), 0);
});

t.test('buildVlServerList: sorting, merging, dedup', async (t) => {
  const list = buildVlServerList('SRV', 'good', [
    { name: 'VL3.Example.ORG', priority: 10, weight: 10, addresses: [v4('192.0.2.31')] },
    { name: 'vl1.example.org', priority: 10, weight: 50, addresses: [v6('2001:db8::11'), v4('192.0.2.11')] },
    { name: 'vl0.example.org', priority: 20, weight: 90, addresses: [v4('192.0.2.1')] },
    { name: 'vl2.example.org', priority: 10, weight: 10, addresses: [v4('192.0.2.21')] },
    // Same name (other case) and port: merged into vl1, duplicate dropped.
    { name: 'VL1.example.org', priority: 99, weight: 0, addresses: [v4('192.0.2.11'), v4('192.0.2.9')] },
    // Same name, other port: a separate server.
    { name: 'vl1.example.org', port: 7100, priority: 10, weight: 50, addresses: [v4('192.0.2.11', 7100)] },
  ]);
  t.same(
    list.servers.map((s) => [s.name, s.priority, s.weight, s.port]),
    [
      ['vl1.example.org', 10, 50, 7003],
      ['vl1.example.org', 10, 50, 7100],
      ['vl2.example.org', 10, 10, 7003],
      ['vl3.example.org', 10, 10, 7003],
      ['vl0.example.org', 20, 90, 7003],
    ],
    'priority asc, weight desc, name, port; names lower-cased; first priority/weight kept on merge',
  );
  t.same(list.servers[0]?.addresses, [v4('192.0.2.9'), v4('192.0.2.11'), v6('2001:db8::11')], 'IPv4 first, numeric');
  t.equal(countAddresses(list), 7);
  t.equal(hasServers(list), true);
  for (const s of list.servers) {
    t.equal(s.source, 'SRV');
    t.equal(s.status, 'good');
  }
  t.equal(list.source, 'SRV');
  t.equal(list.status, 'good');
});

t.test('buildVlServerList: result is deeply frozen and detached from the input', async (t) => {
  const input = [v4('192.0.2.1')];
  const list = buildVlServerList('cfg', 'good', [{ name: 'a', addresses: input }]);
  t.ok(Object.isFrozen(list));
  t.ok(Object.isFrozen(list.servers));
  t.ok(Object.isFrozen(list.servers[0]));
  t.ok(Object.isFrozen(list.servers[0]?.addresses));
  t.ok(Object.isFrozen(list.servers[0]?.addresses[0]));
  input.push(v4('192.0.2.2'));
  t.equal(list.servers[0]?.addresses.length, 1, 'later changes to the input do not leak in');
  t.same(list.servers[0], { name: 'a', priority: 0, weight: 0, port: 7003, source: 'cfg', status: 'good', addresses: [v4('192.0.2.1')] });
});

t.test('buildVlServerList: a server without addresses is kept', async (t) => {
  const list = buildVlServerList('SRV', 'good', [{ name: 'unresolved.example.org', priority: 1, weight: 1, addresses: [] }]);
  t.equal(list.servers.length, 1);
  t.equal(hasServers(list), false, 'but it does not make the list usable');
  t.equal(
    renderVlservers(list),
    '# source SRV, status good\nunresolved.example.org [p=1 w=1 s=SRV,good]:\n',
  );
});

t.test('buildVlServerList: caps with warnings', async (t) => {
  const warnings: string[] = [];
  const many = Array.from({ length: MAX_VL_ADDRESSES + 2 }, (_, i) => v4(`10.0.0.${i}`));
  const list = buildVlServerList('A', 'good', [{ name: 'big', addresses: many.reverse() }], (m) => warnings.push(m));
  t.equal(list.servers[0]?.addresses.length, MAX_VL_ADDRESSES);
  t.equal(list.servers[0]?.addresses[MAX_VL_ADDRESSES - 1]?.address, '10.0.0.63', 'lowest addresses kept');
  t.equal(warnings.length, 1);
  t.match(warnings[0], /big: 66 addresses, keeping 64; dropped 10\.0\.0\.64:7003, 10\.0\.0\.65:7003/);

  warnings.length = 0;
  const servers = Array.from({ length: MAX_VL_SERVERS + 8 }, (_, i) => ({
    name: `s${String(i).padStart(3, '0')}`,
    addresses: [v4(`10.1.${i >> 8}.${i & 255}`)],
  }));
  const capped = buildVlServerList('SRV', 'good', servers, (m) => warnings.push(m));
  t.equal(capped.servers.length, MAX_VL_SERVERS);
  t.equal(capped.servers.at(-1)?.name, 's254');
  t.equal(warnings.length, 1);
  t.match(warnings[0], /263 VL servers, keeping 255; dropped s255, s256, s257, s258, s259 and 3 more/);

  // Without a warn callback, capping still happens and nothing throws.
  t.equal(buildVlServerList('SRV', 'good', servers).servers.length, MAX_VL_SERVERS);
});

t.test('dummyVlServerList', async (t) => {
  const list = dummyVlServerList([v6('2001:db8::1'), v4('192.0.2.2'), v4('192.0.2.1'), v4('192.0.2.1')]);
  t.equal(list.source, 'cfg');
  t.equal(list.status, 'good');
  t.equal(list.servers.length, 1);
  t.equal(list.servers[0]?.name, DUMMY_SERVER_NAME);
  t.equal(
    renderVlservers(list),
    '# source cfg, status good\n' +
      '<dummy> [p=0 w=0 s=cfg,good]:\n' +
      ' - 192.0.2.1:7003\n' +
      ' - 192.0.2.2:7003\n' +
      ' > [2001:db8::1]:7003\n',
  );
  t.equal(
    renderVlservers(dummyVlServerList([v4('192.0.2.1', 7000), v4('192.0.2.2')])),
    '# source cfg, status good\n<dummy> [p=0 w=0 s=cfg,good]:\n > 192.0.2.1:7000\n - 192.0.2.2:7003\n',
    'IPv4 only: the first is preferred; each line shows its own port',
  );
});

t.test('renderVlservers: cfg list with host names', async (t) => {
  const list = buildVlServerList('cfg', 'good', [
    { name: 'grand.mit.edu', addresses: [v4('18.9.48.14')] },
    { name: 'grand-old-opry.central.org', addresses: [v4('128.2.13.219')] },
  ]);
  t.equal(
    renderVlservers(list),
    '# source cfg, status good\n' +
      'grand-old-opry.central.org [p=0 w=0 s=cfg,good]:\n' +
      ' > 128.2.13.219:7003\n' +
      'grand.mit.edu [p=0 w=0 s=cfg,good]:\n' +
      ' > 18.9.48.14:7003\n',
  );
});

t.test('renderVlservers: SRV list, IPv6 preferred, last-refresh line', async (t) => {
  const list = buildVlServerList('SRV', 'good', [
    { name: 'vl2.example.org', priority: 20, weight: 0, port: 7003, addresses: [v4('192.0.2.21')] },
    { name: 'vl1.example.org', priority: 10, weight: 50, port: 7003, addresses: [v6('2001:db8::11'), v4('192.0.2.11')] },
  ]);
  const body =
    'vl1.example.org [p=10 w=50 s=SRV,good]:\n' +
    ' - 192.0.2.11:7003\n' +
    ' > [2001:db8::11]:7003\n' +
    'vl2.example.org [p=20 w=0 s=SRV,good]:\n' +
    ' > 192.0.2.21:7003\n';
  t.equal(renderVlservers(list), '# source SRV, status good\n' + body);
  t.equal(
    renderVlservers(list, { lastRefresh: { status: 'temp-failure', retryInSeconds: 10 } }),
    '# source SRV, status good\n# last refresh: temp-failure, retry in 10s\n' + body,
  );
  t.match(renderVlservers(list, { lastRefresh: { status: 'not-found', retryInSeconds: 60.2 } }), /# last refresh: not-found, retry in 61s\n/, 'rounded up');
  t.match(renderVlservers(list, { lastRefresh: { status: 'temp-failure', retryInSeconds: -3 } }), /retry in 0s\n/, 'never negative');
});
