import t from 'tap';
import {
  addressKey,
  compareAddresses,
  formatAddressWithPort,
  isLoopbackAddress,
  parseIPv4Strict,
  parseIPv6Strict,
  sameAddress,
} from '../../src/vl/address.js';
import type { VlAddress } from '../../src/vl/types.js';

t.test('parseIPv4Strict accepts strict dotted decimal', async (t) => {
  t.equal(parseIPv4Strict('192.0.2.1'), '192.0.2.1');
  t.equal(parseIPv4Strict('0.0.0.0'), '0.0.0.0');
  t.equal(parseIPv4Strict('255.255.255.255'), '255.255.255.255');
  t.equal(parseIPv4Strict('10.0.0.1'), '10.0.0.1');
  t.equal(parseIPv4Strict('18.9.48.14'), '18.9.48.14');
});

t.test('parseIPv4Strict rejects every legacy or sloppy form', async (t) => {
  const bad = [
    '010.0.0.1', // leading zero: octal to ipaddr.js, decimal to the kernel
    '192.000.002.001',
    '0177.0.0.1',
    '08.0.0.1',
    '00.0.0.0',
    '127.1', // short
    '0x7f.0.0.1', // hex
    '0x7f.1',
    '3221225985', // 32-bit integer
    '256.1.1.1',
    '1.2.3.256',
    '1.2.3',
    '1.2.3.4.5',
    '1.2.3.',
    '.1.2.3',
    ' 192.0.2.1',
    '192.0.2.1 ',
    '192.0.2.1:7003',
    '192.0.2.1+7003',
    '1.2.3.x',
    '+1.2.3.4',
    '-1.2.3.4',
    '١.2.3.4', // Arabic-Indic digit
    '',
    '::1',
  ];
  for (const s of bad) t.equal(parseIPv4Strict(s), null, JSON.stringify(s));
});

t.test('parseIPv6Strict returns RFC 5952 text', async (t) => {
  t.equal(parseIPv6Strict('2001:db8::1'), '2001:db8::1');
  t.equal(parseIPv6Strict('2001:DB8::1'), '2001:db8::1', 'lower-cased');
  t.equal(parseIPv6Strict('2001:0db8:0000:0000:0000:0000:0000:0001'), '2001:db8::1', 'compressed');
  t.equal(parseIPv6Strict('2001:db8:0:0:1:0:0:1'), '2001:db8::1:0:0:1', 'first longest zero run');
  t.equal(parseIPv6Strict('::1'), '::1');
  t.equal(parseIPv6Strict('::'), '::');
  t.equal(parseIPv6Strict('fe80::1'), 'fe80::1');
});

t.test('parseIPv6Strict: embedded IPv4 stays IPv6 and must be strict', async (t) => {
  t.equal(parseIPv6Strict('::ffff:1.2.3.4'), '::ffff:102:304', 'v4-mapped kept as IPv6');
  t.equal(parseIPv6Strict('::ffff:192.0.2.1'), '::ffff:c000:201');
  t.equal(parseIPv6Strict('64:ff9b::192.0.2.1'), '64:ff9b::c000:201');
  // ipaddr.js alone would turn this into ::ffff:102:304.
  t.equal(parseIPv6Strict('::1.2.3.4'), '::102:304', 'IPv4-compatible form is not mis-read as mapped');
  t.equal(parseIPv6Strict('::ffff:010.0.0.1'), null, 'leading zero in the tail');
  t.equal(parseIPv6Strict('::ffff:0x7f.0.0.1'), null, 'hex in the tail');
  t.equal(parseIPv6Strict('::ffff:127.1'), null, 'short tail');
  t.equal(parseIPv6Strict('::ffff:1.2.3.4:5'), null, 'tail not last');
});

t.test('parseIPv6Strict rejects zones, brackets, ports, junk', async (t) => {
  const bad = [
    'fe80::1%eth0',
    'fe80::1%1',
    '[2001:db8::1]',
    '[2001:db8::1]:7003',
    '2001:db8::1+7003',
    ' ::1',
    '::1 ',
    '1::2::3',
    '2001:db8::g',
    '12345::1',
    '1:2:3:4:5:6:7:8:9',
    '192.0.2.1',
    '',
    ':',
  ];
  for (const s of bad) t.equal(parseIPv6Strict(s), null, JSON.stringify(s));
});

t.test('isLoopbackAddress', async (t) => {
  t.equal(isLoopbackAddress({ family: 4, address: '127.0.0.1' }), true);
  t.equal(isLoopbackAddress({ family: 4, address: '127.255.3.4' }), true);
  t.equal(isLoopbackAddress({ family: 4, address: '128.0.0.1' }), false);
  t.equal(isLoopbackAddress({ family: 4, address: '10.127.0.1' }), false);
  t.equal(isLoopbackAddress({ family: 6, address: '::1' }), true);
  t.equal(isLoopbackAddress({ family: 6, address: '::ffff:7f00:1' }), true, 'v4-mapped 127.0.0.1');
  t.equal(isLoopbackAddress({ family: 6, address: '::ffff:c000:201' }), false, 'v4-mapped 192.0.2.1');
  t.equal(isLoopbackAddress({ family: 6, address: '::2' }), false);
  t.equal(isLoopbackAddress({ family: 6, address: '::' }), false);
  t.equal(isLoopbackAddress({ family: 6, address: '2001:db8::1' }), false);
  t.equal(isLoopbackAddress({ family: 4, address: 'junk' }), false, 'unparseable is not loopback');
  const withPort: VlAddress = { family: 4, address: '127.0.0.53', port: 53 };
  t.equal(isLoopbackAddress(withPort), true, 'accepts a VlAddress');
});

t.test('formatAddressWithPort', async (t) => {
  t.equal(formatAddressWithPort({ family: 4, address: '192.0.2.1', port: 7003 }), '192.0.2.1:7003');
  t.equal(formatAddressWithPort({ family: 6, address: '2001:db8::1', port: 7003 }), '[2001:db8::1]:7003');
  t.equal(formatAddressWithPort({ family: 6, address: '::1', port: 65500 }), '[::1]:65500');
});

t.test('compareAddresses: IPv4 first, numeric, then port', async (t) => {
  const a = (family: 4 | 6, address: string, port = 7003): VlAddress => ({ family, address, port });
  const list = [
    a(6, '2001:db8::10'),
    a(4, '192.0.2.10'),
    a(6, '::1'),
    a(4, '192.0.2.9', 7004),
    a(4, '192.0.2.9', 7003),
    a(4, '10.0.0.1'),
    a(6, '2001:db8::9'),
  ];
  const sorted = [...list].sort(compareAddresses).map(formatAddressWithPort);
  t.same(sorted, [
    '10.0.0.1:7003',
    '192.0.2.9:7003',
    '192.0.2.9:7004',
    '192.0.2.10:7003',
    '[::1]:7003',
    '[2001:db8::9]:7003',
    '[2001:db8::10]:7003',
  ]);
  t.equal(compareAddresses(a(4, '1.2.3.4'), a(4, '1.2.3.4')), 0);
  t.ok(compareAddresses(a(4, '255.255.255.255'), a(6, '::')) < 0);
});

t.test('sameAddress / addressKey', async (t) => {
  const x: VlAddress = { family: 4, address: '192.0.2.1', port: 7003 };
  t.equal(sameAddress(x, { ...x }), true);
  t.equal(sameAddress(x, { ...x, port: 7004 }), false);
  t.equal(addressKey(x), addressKey({ ...x }));
  t.not(addressKey(x), addressKey({ ...x, port: 7004 }));
});
