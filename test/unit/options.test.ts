// Command-line options: defaults, and every bad value refused as a usage
// error (EINVAL) before anything starts.
import t from 'tap';
import { parseCommandLine } from '../../src/options.js';

const BUNDLED = '/bundled/CellServDB';
const parse = (...argv: string[]) => parseCommandLine(argv, BUNDLED);

t.test('defaults', async (t) => {
  const { options, positionals } = parse('mount', '/afs-meta');
  t.same(positionals, ['mount', '/afs-meta']);
  t.equal(options.gcDelayMs, 10_000);
  t.equal(options.minTtlMs, 600_000);
  t.equal(options.maxTtlMs, 86_400_000);
  t.equal(options.dnsTimeoutMs, 2000);
  t.equal(options.dns, false);
  t.equal(options.cacheDir, '/var/cache/afs-cellfs');
});

t.test('values that are accepted', async (t) => {
  const { options } = parse('--gc-delay', '0.5', '--min-ttl', '1', '--dns-server', '127.0.0.1:5300', '--dns-server', '[::1]:53');
  t.equal(options.gcDelayMs, 500);
  t.equal(options.minTtlMs, 1000);
  t.equal(options.dns, true, '--dns-server implies --dns');
  t.same(options.dnsServers, [{ host: '127.0.0.1', port: 5300 }, { host: '::1', port: 53 }]);
  t.same(parse('--no-cellservdb').options.cellservdb, []);
  t.same(parse('--cellservdb', 'a', '--cellservdb', 'b').options.cellservdb, ['a', 'b']);
});

t.test('bad values are EINVAL', async (t) => {
  const bad: string[][] = [
    ['--gc-delay', '0x10'],
    ['--gc-delay', '1e3'],
    ['--gc-delay', ' 5 '],
    ['--gc-delay', ''],
    ['--gc-delay=-1'],
    ['--gc-delay', '-1'],
    ['--min-ttl', '0'],
    ['--min-ttl', '100', '--max-ttl', '10'],
    ['--dns-timeout', '0'],
    ['--dns-timeout', '60001'],
    ['--dns-timeout', '1.5'],
    ['--dns-server', 'nonsense'],
    ['--dns-server', '010.0.0.1'],
    ['--dns-server', '127.0.0.1:99999'],
    ['--no-cellservdb', '--cellservdb', 'x'],
    ['--bogus'],
  ];
  for (const argv of bad) t.throws(() => parse(...argv), { code: 'EINVAL' }, argv.join(' '));
});
