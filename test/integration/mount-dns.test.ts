// The mount resolving cells through DNS: a hermetic dns2 server on loopback
// (never the system resolver), the real daemon, and real processes (cat, ls).
//
// The DNS server runs inside this test process, so every command that makes
// the daemon ask DNS must run without blocking our event loop: shAsync, never
// sh (sh would hold the loop, the server could not answer, and both would
// wait for the DNS timeout).  sh is used only for commands that ask no DNS.
import t, { type Test } from 'tap';
import { Daemon, sh, shAsync, type ShellResult } from '../fixtures/mount.js';
import { TestDnsServer, a, aaaa, afsdb, srv } from '../fixtures/dns-server.js';
import { addAfsdbCell, AFSDB_TEST_TEXT, srvOwner } from '../fixtures/sample-cells.js';

const SRV = srvOwner;

/** The text of the SPEC §5 example for two.test (see the zone below). */
const TWO_TEST =
  '# source SRV, status good\n' +
  'vl-z.two.test [p=10 w=10 s=SRV,good]:\n' +
  ' - 192.0.2.3:7005\n' +
  ' - 192.0.2.20:7005\n' +
  ' > [2001:db8::3]:7005\n' +
  ' - [2001:db8::20]:7005\n' +
  'vl-a.two.test [p=20 w=90 s=SRV,good]:\n' +
  ' - 192.0.2.12:7003\n' +
  ' > [2001:db8::12]:7003\n';

/** One VL server with one IPv4 address: the text a simple SRV cell gives. */
function oneServer(host: string, address: string, port = 7003, p = 0, w = 0): string {
  return `# source SRV, status good\n${host} [p=${p} w=${w} s=SRV,good]:\n > ${address}:${port}\n`;
}

/**
 * The zone: every cell the tests below use.  Record order in the zone is
 * deliberately not the order the daemon must print.
 */
function fillZone(dns: TestDnsServer): void {
  // two.test: two SRV servers; the one added first sorts last (priority),
  // and addresses are added out of numeric order.
  dns.add(SRV('two.test'), srv(20, 90, 7003, 'vl-a.two.test', 300), srv(10, 10, 7005, 'vl-z.two.test', 300));
  dns.add('vl-a.two.test', aaaa('2001:db8::12', 300), a('192.0.2.12', 300));
  dns.add('vl-z.two.test', a('192.0.2.20', 300), a('192.0.2.3', 300), aaaa('2001:db8::20', 300), aaaa('2001:db8::3', 300));
  // An AFSDB record at two.test must never be used: SRV answered.
  dns.add('two.test', afsdb(1, 'never.two.test', 300));
  dns.add('never.two.test', a('192.0.2.99', 300));

  // afsdb.test: AFSDB only; subtype 2 (DCE) must not appear.
  addAfsdbCell(dns);

  // Simple one-server cells, one per test that needs a fresh cell.
  for (const [cell, address] of [
    ['crowd.test', '192.0.2.40'],
    ['slow.test', '192.0.2.50'],
    ['fast.test', '192.0.2.51'],
    ['six.test', '192.0.2.60'],
    ['dir.test', '192.0.2.70'],
  ] as const) {
    dns.add(SRV(cell), srv(0, 0, 7003, `vl.${cell}`, 300));
    dns.add(`vl.${cell}`, a(address, 300));
  }

  // servfail.test: the SRV query answers SERVFAIL.
  dns.add('servfail.test', afsdb(1, 'afs.servfail.test', 300));
  dns.add('afs.servfail.test', a('192.0.2.80', 300));
  dns.fail(SRV('servfail.test'), 'SRV', 'servfail');

  // nosuch.test, gone.test: never added, NXDOMAIN for everything.
}

/** `cat` of a cell's vlservers, without blocking this process (the DNS server lives here). */
function catVl(d: Daemon, cell: string): Promise<ShellResult> {
  return shAsync(`cat ${d.p(`cells/${cell}/vlservers`)}`);
}

async function startDaemon(t: Test, dns: TestDnsServer, extra: string[] = []): Promise<Daemon> {
  const d = await Daemon.start(['--no-cellservdb', '--dns-server', dns.spec, ...extra]);
  t.teardown(() => d.cleanup());
  return d;
}

/** Waits (bounded) until `check()` holds; returns whether it did. */
async function until(check: () => boolean, ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

let dns: TestDnsServer;
t.before(async () => {
  dns = await TestDnsServer.start();
  fillZone(dns);
});
t.teardown(() => dns.close());

t.test('SRV cell with two servers: header, sort order, > on the first IPv6, ports', async (t) => {
  const d = await startDaemon(t, dns);
  const r = await catVl(d, 'two.test');
  t.equal(r.stderr, '', 'no error');
  t.equal(r.status, 0);
  t.equal(r.stdout, TWO_TEST, 'exact vlservers text');
  t.equal(dns.count(SRV('two.test'), 'SRV'), 1, 'one SRV query');
  t.equal(dns.count('two.test', 'AFSDB'), 0, 'no AFSDB query once SRV answered');
  t.equal(dns.count('never.two.test', 'A'), 0, 'the AFSDB host is never asked for');
  t.equal(sh(`ls ${d.p('cells')}`).stdout, 'two.test\n', 'the cell is listed');
  t.equal((await catVl(d, 'TWO.Test')).stdout, TWO_TEST, 'upper case names the same cell');
  t.equal(dns.count(SRV('two.test'), 'SRV'), 1, 'the second read asked no DNS');
  t.equal(await d.stop(), 0, 'SIGTERM exits 0');
});

t.test('AFSDB-only cell: subtype 1 only, port 7003, p=0 w=0', async (t) => {
  const d = await startDaemon(t, dns);
  const r = await catVl(d, 'afsdb.test');
  t.equal(r.stderr, '');
  t.equal(r.status, 0);
  t.equal(r.stdout, AFSDB_TEST_TEXT, 'exact vlservers text, no dce.afsdb.test');
  t.equal(dns.count(SRV('afsdb.test'), 'SRV'), 1, 'SRV asked first');
  t.equal(dns.count('afsdb.test', 'AFSDB'), 1, 'then AFSDB');
  t.equal(dns.count('dce.afsdb.test', 'A') + dns.count('dce.afsdb.test', 'AAAA'), 0, 'the subtype-2 host is never asked for');
  t.equal(await d.stop(), 0);
});

t.test('20 concurrent readers of a new cell share one lookup', async (t) => {
  const d = await startDaemon(t, dns);
  const cell = 'crowd.test';
  t.equal(dns.count(SRV(cell), 'SRV'), 0, 'not asked before');
  const hold = dns.hold(SRV(cell), 'SRV');
  let finished = 0;
  const readers = Array.from({ length: 20 }, () =>
    catVl(d, cell).then((r) => {
      finished++;
      return r;
    }),
  );
  await hold.waitForPending(1);
  // Let the other readers reach the daemon (or the kernel) while the answer is held.
  await new Promise((r) => setTimeout(r, 300));
  t.equal(finished, 0, 'no reader returned before the first DNS result');
  t.equal(dns.count(SRV(cell), 'SRV'), 1, 'one SRV query while 20 readers wait');
  hold.release();
  const results = await Promise.all(readers);
  t.equal(dns.count(SRV(cell), 'SRV'), 1, 'exactly one SRV query in all');
  t.equal(dns.count(`vl.${cell}`, 'A'), 1, 'exactly one A query in all');
  const expected = oneServer('vl.crowd.test', '192.0.2.40');
  t.same(
    results.map((r) => [r.status, r.stdout, r.stderr]),
    Array.from({ length: 20 }, () => [0, expected, '']),
    'all 20 outputs are identical and correct',
  );
  t.equal(await d.stop(), 0);
});

t.test('20 concurrent readers of a failing cell share one failed lookup', async (t) => {
  const d = await startDaemon(t, dns);
  const cell = 'crowdfail.test';
  dns.fail(SRV(cell), 'SRV', 'servfail');
  const hold = dns.hold(SRV(cell), 'SRV');
  const readers = Array.from({ length: 20 }, () => catVl(d, cell));
  await hold.waitForPending(1);
  await new Promise((r) => setTimeout(r, 300));
  hold.release();
  const results = await Promise.all(readers);
  // The record goes as soon as it is idle (no servers), but its failure
  // stands for 10 s: readers the kernel queued behind the first one get it
  // instead of starting a lookup each.
  t.equal(dns.count(SRV(cell), 'SRV'), 1, 'exactly one SRV query in all');
  t.ok(
    results.every((r) => r.status !== 0 && /Destination address required/.test(r.stderr)),
    'all 20 readers get EDESTADDRREQ',
  );
  t.equal(await d.stop(), 0);
});

t.test('a cell DNS does not know: ENOENT, and not listed', async (t) => {
  const d = await startDaemon(t, dns);
  const path = d.p('cells/nosuch.test/vlservers');
  const r = await shAsync(`cat ${path}`);
  t.not(r.status, 0, 'cat fails');
  t.equal(r.stdout, '');
  t.equal(r.stderr, `cat: ${path}: No such file or directory\n`);
  t.equal(dns.count(SRV('nosuch.test'), 'SRV'), 1, 'SRV asked');
  t.equal(dns.count('nosuch.test', 'AFSDB'), 1, 'then AFSDB');
  t.equal(sh(`ls -A ${d.p('cells')}`).stdout, '', 'ls /cells right after does not list it');
  t.equal(await d.stop(), 0);
});

t.test('SERVFAIL: EDESTADDRREQ', async (t) => {
  const d = await startDaemon(t, dns);
  const path = d.p('cells/servfail.test/vlservers');
  const r = await shAsync(`cat ${path}`);
  t.not(r.status, 0, 'cat fails');
  t.equal(r.stdout, '');
  t.equal(r.stderr, `cat: ${path}: Destination address required\n`);
  t.equal(dns.count('servfail.test', 'AFSDB'), 0, 'a temporary SRV failure does not fall through to AFSDB');
  t.equal(await d.stop(), 0);
});

t.test('a held lookup of one cell does not stall another', async (t) => {
  // A long per-query timeout: the held query must not be retried by the
  // daemon while cell B is read (no timing is asserted, only order).
  const d = await startDaemon(t, dns, ['--dns-timeout', '20000']);
  const hold = dns.hold(SRV('slow.test'), 'SRV');
  let aDone = false;
  const aRead = catVl(d, 'slow.test').then((r) => {
    aDone = true;
    return r;
  });
  await hold.waitForPending(1);
  t.equal(hold.pending, 1, "A's SRV query is held at the server");

  const b = await catVl(d, 'fast.test');
  t.equal(b.stderr, '');
  t.equal(b.status, 0);
  t.equal(b.stdout, oneServer('vl.fast.test', '192.0.2.51'), "B's vlservers is correct");
  t.equal(aDone, false, "A's cat has not finished when B's returned");
  t.equal(hold.pending, 1, "A's answer is still held");

  hold.release();
  const aResult = await aRead;
  t.equal(aResult.stderr, '');
  t.equal(aResult.status, 0);
  t.equal(aResult.stdout, oneServer('vl.slow.test', '192.0.2.50'), "A's vlservers once released");
  t.equal(dns.count(SRV('slow.test'), 'SRV'), 1, 'A was asked once');
  t.equal(await d.stop(), 0);
});

t.test('a DNS server on ::1', async (t) => {
  const dns6 = await TestDnsServer.start({ host: '::1' });
  t.teardown(() => dns6.close());
  t.equal(dns6.spec, `[::1]:${dns6.port}`);
  fillZone(dns6);
  const d = await startDaemon(t, dns6);
  const r = await catVl(d, 'six.test');
  t.equal(r.stderr, '');
  t.equal(r.status, 0);
  t.equal(r.stdout, oneServer('vl.six.test', '192.0.2.60'));
  t.equal(dns6.count(SRV('six.test'), 'SRV'), 1, 'asked over IPv6');
  t.equal((await catVl(d, 'two.test')).stdout, TWO_TEST, 'a two-server cell too');
  t.equal(await d.stop(), 0);
});

t.test('readdir of a cell directory waits for the cell', async (t) => {
  const d = await startDaemon(t, dns);
  const good = await shAsync(`ls ${d.p('cells/dir.test')}`);
  t.equal(good.stderr, '');
  t.equal(good.status, 0);
  t.equal(good.stdout, 'vlservers\n', 'a good cell lists vlservers');
  t.equal(dns.count(SRV('dir.test'), 'SRV'), 1);

  // Opening the directory of a cell waits for its first DNS result, and
  // fails there when DNS says no (glibc would read an error from getdents
  // as the end of the listing, so the error must come from opendir).
  const dir = d.p('cells/gone.test');
  const hold = dns.hold(SRV('gone.test'), 'SRV');
  let lsDone = false;
  const ls = shAsync(`ls ${dir}`).then((r) => {
    lsDone = true;
    return r;
  });
  await hold.waitForPending(1);
  await new Promise((r) => setTimeout(r, 200));
  t.equal(lsDone, false, 'ls waits for the first DNS result');
  hold.release();
  const bad = await ls;
  t.not(bad.status, 0, 'ls of a not-found cell fails');
  t.match(bad.stderr, /No such file or directory/, 'ls says ENOENT');
  t.equal(bad.stdout, '', 'ls lists nothing');
  t.ok(dns.count(SRV('gone.test'), 'SRV') >= 1, 'it was looked up');
  t.ok(
    await until(() => sh(`ls -A ${d.p('cells')}`).stdout === 'dir.test\n'),
    'only the good cell is listed',
  );
  t.equal(await d.stop(), 0);
});
