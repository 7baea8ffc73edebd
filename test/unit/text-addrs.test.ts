import t from 'tap';
import { MAX_ROOTCELL_WRITE, parseRootCellSpec, parseTextAddrList } from '../../src/vl/text-addrs.js';
import { formatAddressWithPort } from '../../src/vl/address.js';
import { MAX_VL_ADDRESSES } from '../../src/vl/types.js';

/** The parsed addresses as `addr:port` strings, for compact comparison. */
const show = (text: string): string[] => parseTextAddrList(text).map(formatAddressWithPort);

t.test('parseTextAddrList: delimiter rule', async (t) => {
  t.same(show('192.0.2.1:192.0.2.2'), ['192.0.2.1:7003', '192.0.2.2:7003'], "':' when there is a '.' and no ','");
  t.same(show('192.0.2.1,192.0.2.2'), ['192.0.2.1:7003', '192.0.2.2:7003'], "',' when present");
  t.same(show('2001:db8::1'), ['[2001:db8::1]:7003'], "no '.': ',' so one IPv6 item");
  t.same(show('2001:db8::1,2001:db8::2'), ['[2001:db8::1]:7003', '[2001:db8::2]:7003']);
  t.same(show('192.0.2.1+7000,[2001:db8::1]+7001'), ['192.0.2.1:7000', '[2001:db8::1]:7001']);
  t.same(show('::ffff:192.0.2.1,192.0.2.1'), ['[::ffff:c000:201]:7003', '192.0.2.1:7003'], 'mapped stays IPv6');
  t.same(show('[2001:db8::1]'), ['[2001:db8::1]:7003'], 'bracketed without port');
  t.same(show('192.0.2.1+7003:192.0.2.1'), ['192.0.2.1:7003'], 'duplicates removed (same address and port)');
  t.same(show('192.0.2.1+7004:192.0.2.1'), ['192.0.2.1:7004', '192.0.2.1:7003'], 'other port is not a duplicate');
  t.same(show('192.0.2.2+65535:192.0.2.1+1'), ['192.0.2.2:65535', '192.0.2.1:1'], 'order kept; port range ends');
  t.same(show('[2001:DB8:0::1]+7003'), ['[2001:db8::1]:7003'], 'canonical IPv6 text');
});

t.test('parseTextAddrList: errors are EINVAL and name the item', async (t) => {
  const cases: Array<[string, RegExp]> = [
    ['', /empty/],
    ['192.0.2.1::192.0.2.2', /empty item/],
    ['192.0.2.1:', /empty item/],
    ['1.2.3.x', /"1\.2\.3\.x"/],
    ['010.0.0.1', /"010\.0\.0\.1"/],
    ['127.1', /"127\.1"/],
    ['0x7f.0.0.1', /"0x7f\.0\.0\.1"/],
    ['fe80::1%eth0', /zone ids/],
    ['[fe80::1%eth0]', /"\[fe80::1%eth0\]"/],
    ['[1.2.3.4]', /brackets are only for IPv6/],
    ['[2001:db8::1', /missing '\]'/],
    ['[2001:db8::1]x', /junk after '\]'/],
    ['[2001:db8::1]:7003', /junk after '\]'/],
    ['2001:db8::1+7003', /in \[ \] to give it a port/],
    ['1.2.3.4+0', /bad port.*"1\.2\.3\.4\+0"/],
    ['1.2.3.4+65536', /bad port/],
    ['1.2.3.4+', /bad port/],
    ['1.2.3.4+0x10', /bad port/],
    ['1.2.3.4+-1', /bad port/],
    ['1.2.3.4+ 7003', /bad port/],
    ['1.2.3.4+7003+1', /bad port/],
    ['1.2.3.4+0000007003', /bad port/],
    ['1.2.3.4+007', /bad port/],
    ['1.2.3.4 ', /"1\.2\.3\.4 "/],
    ['foo.example', /not strict dotted-decimal IPv4 or IPv6/],
  ];
  for (const [text, msg] of cases) {
    t.throws(() => parseTextAddrList(text), { name: 'AfsError', code: 'EINVAL', message: msg }, JSON.stringify(text));
  }
});

t.test('parseTextAddrList: at most MAX_VL_ADDRESSES distinct addresses', async (t) => {
  const make = (n: number): string => Array.from({ length: n }, (_, i) => `10.0.${i >> 8}.${i & 255}`).join(',');
  t.equal(parseTextAddrList(make(MAX_VL_ADDRESSES)).length, MAX_VL_ADDRESSES);
  t.throws(() => parseTextAddrList(make(MAX_VL_ADDRESSES + 1)), { code: 'EINVAL', message: /more than 64/ });
  // Duplicates do not count toward the limit.
  t.equal(parseTextAddrList(make(MAX_VL_ADDRESSES) + ',10.0.0.0').length, MAX_VL_ADDRESSES);
});

t.test('parseRootCellSpec: accepted inputs', async (t) => {
  t.same(parseRootCellSpec('grand.central.org'), { name: 'grand.central.org', addresses: null });
  t.same(parseRootCellSpec('grand.central.org\n'), { name: 'grand.central.org', addresses: null });
  t.same(parseRootCellSpec('Grand.Central.ORG\n'), { name: 'grand.central.org', addresses: null }, 'lower-cased');
  t.same(parseRootCellSpec(Buffer.from('grand.central.org\n')), { name: 'grand.central.org', addresses: null });

  const two = parseRootCellSpec('x.example:192.0.2.1:192.0.2.2');
  t.equal(two.name, 'x.example');
  t.same(two.addresses?.map(formatAddressWithPort), ['192.0.2.1:7003', '192.0.2.2:7003']);
  t.same(two.addresses?.[0], { family: 4, address: '192.0.2.1', port: 7003 });

  const mixed = parseRootCellSpec('x:192.0.2.1+7000,[2001:db8::1]+7001\n');
  t.same(mixed.addresses?.map(formatAddressWithPort), ['192.0.2.1:7000', '[2001:db8::1]:7001']);

  t.same(parseRootCellSpec('x:2001:db8::1').addresses, [{ family: 6, address: '2001:db8::1', port: 7003 }]);
  t.same(parseRootCellSpec('x:2001:db8::1,2001:db8::2').addresses?.map(formatAddressWithPort), [
    '[2001:db8::1]:7003',
    '[2001:db8::2]:7003',
  ]);
  // Exactly 4096 bytes (newline included) is still allowed: 409 items of
  // one address (10n+1 = 4091 bytes), two of them with `+1` (4095), which
  // de-duplicate to two addresses.
  const items = ['192.0.2.1+1', '192.0.2.1+1', ...Array.from({ length: 407 }, () => '192.0.2.1')];
  const body = 'x:' + items.join(':');
  const exact = body + '\n';
  t.equal(Buffer.byteLength(exact), MAX_ROOTCELL_WRITE);
  t.same(parseRootCellSpec(exact).addresses?.map(formatAddressWithPort), ['192.0.2.1:1', '192.0.2.1:7003']);
});

t.test('parseRootCellSpec: EINVAL cases', async (t) => {
  const bad = [
    'x.example:1.2.3.x',
    '.bad',
    'a/b',
    'bad.',
    'a..b',
    'a b',
    '@cell',
    'x:010.0.0.1',
    'x:127.1',
    'x:0x7f.0.0.1',
    'x:fe80::1%eth0',
    'x:[fe80::1%eth0]',
    'x:1.2.3.4+0',
    'x:1.2.3.4+65536',
    'x:1.2.3.4::5.6.7.8',
    'x:[1.2.3.4]',
    'x:',
    'x:\n',
    ':192.0.2.1',
    '',
    '\n',
    'x\n\n',
    '\nx',
    'x\r\n',
    'x\ty',
    'x\0',
    'caf\u00e9.example',
    'x:192.0.2.1/24',
  ];
  for (const input of bad) {
    t.throws(() => parseRootCellSpec(input), { name: 'AfsError', code: 'EINVAL' }, JSON.stringify(input));
  }
  t.throws(() => parseRootCellSpec(Buffer.from([0x78, 0xe4, 0x0a])), { code: 'EINVAL', message: /0xe4 at offset 1/ });
  t.throws(() => parseRootCellSpec('x:'), { message: /empty address list/ });
  t.throws(() => parseRootCellSpec('x\n\n'), { message: /non-printable character 0x0a at offset 1/ });
});

t.test('parseRootCellSpec: ENAMETOOLONG and size limit', async (t) => {
  t.throws(() => parseRootCellSpec('a'.repeat(300)), { code: 'ENAMETOOLONG' }, '300-char name');
  t.throws(() => parseRootCellSpec('a'.repeat(300) + ':192.0.2.1'), { code: 'ENAMETOOLONG' }, 'with addresses');
  t.throws(() => parseRootCellSpec(`${'a'.repeat(64)}.example`), { code: 'ENAMETOOLONG' }, 'long label');
  // The name is checked before the list.
  t.throws(() => parseRootCellSpec('a'.repeat(300) + ':junk'), { code: 'ENAMETOOLONG' });
  t.throws(() => parseRootCellSpec('.x:junk'), { code: 'EINVAL', message: /starts with/ });

  const big = 'x:' + '1'.repeat(MAX_ROOTCELL_WRITE);
  t.throws(() => parseRootCellSpec(big), { code: 'EINVAL', message: /limit is 4096/ }, 'over 4096 bytes');
  t.throws(() => parseRootCellSpec('a'.repeat(5000)), { code: 'EINVAL' }, 'size beats name length');
  t.throws(() => parseRootCellSpec(Buffer.alloc(4097, 0x61)), { code: 'EINVAL', message: /4097 bytes/ });
});
