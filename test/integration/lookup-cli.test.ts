// `afs-cellfs lookup <cell>` and the plain command line (--help, --version,
// bad options), run as real processes.  DNS only ever goes to the hermetic
// dns2 server below, on loopback.
//
// The DNS server lives in this process, so the CLI is run asynchronously
// (never spawnSync, which would stop the server from answering).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { CLI, Daemon, ROOT, isMounted, shAsync, type ShellResult } from '../fixtures/mount.js';
import { TestDnsServer, a, aaaa, srv } from '../fixtures/dns-server.js';
import { addAfsdbCell, AFSDB_TEST_TEXT, GRAND_CENTRAL_TEXT, srvOwner } from '../fixtures/sample-cells.js';

const SRV = srvOwner;
const BUNDLED_CELLSERVDB = path.join(ROOT, 'data/CellServDB');

const TWO_TEST =
  '# source SRV, status good\n' +
  'vl-z.two.test [p=10 w=10 s=SRV,good]:\n' +
  ' - 192.0.2.3:7005\n' +
  ' > [2001:db8::3]:7005\n' +
  'vl-a.two.test [p=20 w=90 s=SRV,good]:\n' +
  ' - 192.0.2.12:7003\n' +
  ' > [2001:db8::12]:7003\n';

const OPTIONS = [
  '--cellservdb',
  '--no-cellservdb',
  '--dns',
  '--dns-server',
  '--rootcell',
  '--preload',
  '--gc-delay',
  '--min-ttl',
  '--max-ttl',
  '--dns-timeout',
  '--cache-dir',
  '--allow-other',
  '--debug',
];

/** A private cache dir for every run: never /var/cache. */
const cacheRoot = mkdtempSync(path.join(tmpdir(), 'afs-cellfs-lookup-'));
t.teardown(() => rmSync(cacheRoot, { recursive: true, force: true }));
let runs = 0;

/**
 * Runs `afs-cellfs ...args` without blocking the event loop; kills it (and
 * says so in stderr) if it has not exited after 30 s.
 */
function cli(args: string[], opts: { cacheDir?: boolean } = {}): Promise<ShellResult> {
  const cache = opts.cacheDir === false ? [] : ['--cache-dir', path.join(cacheRoot, String(++runs))];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args, ...cache], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const killer = setTimeout(() => {
      stderr += '\n[test: killed after 30 s]\n';
      child.kill('SIGKILL');
    }, 30_000);
    child.on('close', (status) => {
      clearTimeout(killer);
      resolve({ status, stdout, stderr });
    });
  });
}

let dns: TestDnsServer;
t.before(async () => {
  dns = await TestDnsServer.start();
  dns.add(SRV('two.test'), srv(20, 90, 7003, 'vl-a.two.test', 300), srv(10, 10, 7005, 'vl-z.two.test', 300));
  dns.add('vl-a.two.test', aaaa('2001:db8::12', 300), a('192.0.2.12', 300));
  dns.add('vl-z.two.test', aaaa('2001:db8::3', 300), a('192.0.2.3', 300));
  addAfsdbCell(dns);
  dns.add(SRV('servfail.test'), srv(0, 0, 7003, 'vl.servfail.test', 300));
  dns.fail(SRV('servfail.test'), 'SRV', 'servfail');
});
t.teardown(() => dns.close());

const dnsArgs = (): string[] => ['--no-cellservdb', '--dns-server', dns.spec];

t.test('lookup of an SRV cell prints the vlservers text the mount shows', async (t) => {
  const r = await cli(['lookup', 'two.test', ...dnsArgs()]);
  t.equal(r.stderr, '', 'nothing on stderr');
  t.equal(r.status, 0, 'exit 0');
  t.equal(r.stdout, TWO_TEST, 'exact text');

  const d = await Daemon.start(dnsArgs());
  t.teardown(() => d.cleanup());
  const mounted = await shAsync(`cat ${d.p('cells/two.test/vlservers')}`);
  t.equal(mounted.status, 0);
  t.equal(r.stdout, mounted.stdout, 'the same text as cat of the mount');
  t.equal(await d.stop(), 0);

  const upper = await cli(['lookup', 'Two.TEST', ...dnsArgs()]);
  t.equal(upper.status, 0);
  t.equal(upper.stdout, TWO_TEST, 'the name is case-insensitive');
});

t.test('lookup of an AFSDB cell', async (t) => {
  const r = await cli(['lookup', 'afsdb.test', ...dnsArgs()]);
  t.equal(r.stderr, '');
  t.equal(r.status, 0);
  t.equal(r.stdout, AFSDB_TEST_TEXT, 'subtype 2 ignored, port 7003, p=0 w=0');
});

t.test('lookup through a DNS server on ::1', async (t) => {
  const dns6 = await TestDnsServer.start({ host: '::1' });
  t.teardown(() => dns6.close());
  dns6.add(SRV('six.test'), srv(1, 2, 7009, 'vl.six.test', 300));
  dns6.add('vl.six.test', a('192.0.2.60', 300));
  const r = await cli(['lookup', 'six.test', '--no-cellservdb', '--dns-server', dns6.spec]);
  t.equal(r.stderr, '');
  t.equal(r.status, 0);
  t.equal(r.stdout, '# source SRV, status good\nvl.six.test [p=1 w=2 s=SRV,good]:\n > 192.0.2.60:7009\n');
  t.equal(dns6.count(SRV('six.test'), 'SRV'), 1);
});

t.test('a cell DNS does not know: exit 1, ENOENT on stderr', async (t) => {
  const r = await cli(['lookup', 'nosuch.test', ...dnsArgs()]);
  t.equal(r.status, 1, 'exit 1');
  t.equal(r.stdout, '', 'nothing on stdout');
  t.equal(r.stderr, 'afs-cellfs: nosuch.test: cell nosuch.test: not found (ENOENT, errno 2)\n');
  t.match(r.stderr, /nosuch\.test/, 'names the cell');
  t.match(r.stderr, /not found|ENOENT/, 'says not found');
  t.equal(dns.count(SRV('nosuch.test'), 'SRV'), 1);
  t.equal(dns.count('nosuch.test', 'AFSDB'), 1);
});

t.test('SERVFAIL: exit 1, EDESTADDRREQ on stderr', async (t) => {
  const r = await cli(['lookup', 'servfail.test', ...dnsArgs()]);
  t.equal(r.status, 1);
  t.equal(r.stdout, '');
  t.match(r.stderr, /^afs-cellfs: servfail\.test: .*EDESTADDRREQ/);
});

t.test('a bad --dns-server is a usage error: exit 2', async (t) => {
  dns.resetCounters();
  const r = await cli(['lookup', 'two.test', '--no-cellservdb', '--dns-server', 'nonsense']);
  t.equal(r.status, 2, 'exit 2');
  t.equal(
    r.stderr,
    'afs-cellfs: bad DNS server "nonsense": not a dotted-decimal IPv4 address ' +
      "(expected IPv4[:PORT], IPv6 or [IPv6]:PORT)\nTry 'afs-cellfs --help'.\n",
    'the bad value and the usage hint',
  );
  t.equal(r.stdout, '');
  t.equal(dns.queries.length, 0, 'no DNS query was sent');
});

t.test('mount with a bad --dns-server is a usage error too, and mounts nothing', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'afs-cellfs-mnt-'));
  t.teardown(() => {
    if (isMounted(dir)) spawnSync('umount', ['-l', dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  for (const spec of ['nonsense', '127.0.0.1:99999', '010.0.0.1']) {
    const r = await cli(['mount', dir, '--no-cellservdb', '--dns-server', spec]);
    t.equal(r.status, 2, `--dns-server ${spec}: exit 2`);
    t.match(r.stderr, /^afs-cellfs: bad DNS server .*\nTry 'afs-cellfs --help'\.\n$/, `--dns-server ${spec}: usage message`);
    t.notOk(isMounted(dir), 'nothing mounted');
  }
});

t.test('other usage errors exit 2', async (t) => {
  for (const args of [['lookup'], ['lookup', 'a.test', 'b.test'], ['lookup', 'a.test', '--bogus'], ['frobnicate'], []]) {
    const r = await cli(args, { cacheDir: false });
    t.equal(r.status, 2, `${JSON.stringify(args)}: exit 2`);
    t.match(r.stderr, /Try 'afs-cellfs --help'\.\n$/, `${JSON.stringify(args)}: usage hint`);
    t.equal(r.stdout, '');
  }
});

t.test('lookup with DNS off prints a CellServDB cell', async (t) => {
  // The bundled copy is the default when /etc/openafs/CellServDB is absent;
  // name it explicitly otherwise, so the expected text holds on any machine.
  const db = existsSync('/etc/openafs/CellServDB') ? ['--cellservdb', BUNDLED_CELLSERVDB] : [];
  const r = await cli(['lookup', 'grand.central.org', ...db]);
  t.equal(r.stderr, '');
  t.equal(r.status, 0);
  t.equal(r.stdout, GRAND_CENTRAL_TEXT);

  const explicit = await cli(['lookup', 'GRAND.central.org', '--cellservdb', BUNDLED_CELLSERVDB]);
  t.equal(explicit.status, 0);
  t.equal(explicit.stdout, GRAND_CENTRAL_TEXT, 'with the bundled file named, any case');

  const unknown = await cli(['lookup', 'not-in-cellservdb.example', '--cellservdb', BUNDLED_CELLSERVDB]);
  t.equal(unknown.status, 1, 'a cell in no CellServDB, DNS off: exit 1');
  t.match(unknown.stderr, /not-in-cellservdb\.example.*ENOENT/);
});

t.test('--help and --version', async (t) => {
  const help = await cli(['--help'], { cacheDir: false });
  t.equal(help.status, 0, '--help exits 0');
  t.equal(help.stderr, '');
  t.match(help.stdout, /^Usage:\n/);
  t.match(help.stdout, /afs-cellfs mount <mountpoint> \[options\]/);
  t.match(help.stdout, /afs-cellfs lookup <cell> \[options\]/);
  for (const option of OPTIONS) {
    t.ok(new RegExp(`^\\s+${option}\\b(?!-)`, 'm').test(help.stdout), `--help lists ${option}`);
  }

  const version = await cli(['--version'], { cacheDir: false });
  t.equal(version.status, 0, '--version exits 0');
  t.equal(version.stdout, 'afs-cellfs 0.1.0\n');
  t.equal(version.stderr, '');
});
