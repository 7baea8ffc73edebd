// The daemon resolving through a real BIND (`named`, authoritative only for
// the zone in test/fixtures/named/db.test, on loopback): what the mount
// prints for each kind of cell in that zone.  BIND rotates RRsets between
// answers; nothing is sorted here: the daemon's text must already be in its
// one canonical order.
//
// named runs in its own process, so sh (synchronous) is fine here.
import t, { type Test } from 'tap';
import { CLI, Daemon, sh } from '../fixtures/mount.js';
import { NAMED_PATH, namedAvailable, startNamed, type NamedHandle } from '../fixtures/named.js';
import { AFSDB_TEST_TEXT } from '../fixtures/sample-cells.js';

const EXAMPLE_TEST =
  '# source SRV, status good\n' +
  'vl1.example.test [p=10 w=50 s=SRV,good]:\n' +
  ' - 192.0.2.11:7003\n' +
  ' > [2001:db8::11]:7003\n' +
  'vl2.example.test [p=20 w=40 s=SRV,good]:\n' +
  ' - 192.0.2.12:7003\n' +
  ' > [2001:db8::12]:7003\n';

const BOTH_TEST = '# source SRV, status good\nsrv1.both.test [p=0 w=0 s=SRV,good]:\n > 192.0.2.31:7003\n';

/** big.test: 20 SRV records (TC over UDP, then TCP), priority ascending, weight descending. */
function bigTest(): string {
  let out = '# source SRV, status good\n';
  for (let p = 1; p <= 4; p++) {
    for (let w = 50; w >= 10; w -= 10) {
      const n = (p - 1) * 5 + w / 10;
      const nn = String(n).padStart(2, '0');
      out += `afs-vlserver-${nn}.big.test [p=${p} w=${w} s=SRV,good]:\n > 198.51.100.${n}:7003\n`;
    }
  }
  return out;
}

/** Every good cell of the zone and its exact vlservers text. */
const GOOD: [cell: string, kind: string, text: string][] = [
  ['example.test', 'SRV only, A+AAAA targets', EXAMPLE_TEST],
  ['afsdb.test', 'AFSDB only (subtype 2 ignored)', AFSDB_TEST_TEXT],
  ['both.test', 'SRV and AFSDB: SRV wins', BOTH_TEST],
  ['big.test', '20 SRV records, TCP after truncation', bigTest()],
  [
    'alias.test',
    'SRV target is a CNAME',
    '# source SRV, status good\nvl.alias.test [p=0 w=0 s=SRV,good]:\n - 192.0.2.51:7004\n > [2001:db8::51]:7004\n',
  ],
  ['v6only.test', 'AAAA only', '# source SRV, status good\nvl.v6only.test [p=0 w=0 s=SRV,good]:\n > [2001:db8::61]:7003\n'],
  ['upper.test', 'upper-case names in the zone', '# source SRV, status good\nvl1.upper.test [p=5 w=7 s=SRV,good]:\n > 192.0.2.71:7003\n'],
  ['lo.test', 'a loopback-only host is left out', '# source SRV, status good\nb.lo.test [p=1 w=0 s=SRV,good]:\n > 192.0.2.81:7003\n'],
  ['zero.test', 'TTL 0', '# source SRV, status good\nvl.zero.test [p=0 w=0 s=SRV,good]:\n > 192.0.2.91:7003\n'],
];

/** Cells the zone says do not exist (for AFS). */
const NOT_FOUND: [cell: string, kind: string][] = [
  ['nosuchcell.test', 'NXDOMAIN'],
  ['nodata.test', 'names exist, no SRV or AFSDB (NODATA)'],
  ['noservice.test', 'SRV target "." (no service; AFSDB not used)'],
];

if (!namedAvailable()) {
  t.fail(`${NAMED_PATH} is not installed: this test needs BIND (apt-get install bind9 bind9-dnsutils, or scripts/test)`);
} else {
  let named: NamedHandle;
  t.before(async () => {
    named = await startNamed();
  });
  t.teardown(async () => {
    await named?.stop();
  });

  const mount = async (t: Test, host: '127.0.0.1' | '[::1]'): Promise<Daemon> => {
    const d = await Daemon.start(['--no-cellservdb', '--dns-server', `${host}:${named.port}`]);
    t.teardown(() => d.cleanup());
    return d;
  };

  t.test('through 127.0.0.1: every kind of cell in the zone', async (t) => {
    const d = await mount(t, '127.0.0.1');
    for (const [cell, kind, text] of GOOD) {
      const r = sh(`cat ${d.p(`cells/${cell}/vlservers`)}`);
      t.equal(r.stderr, '', `${cell}: no error`);
      t.equal(r.status, 0, `${cell}: cat exits 0`);
      t.equal(r.stdout, text, `${cell} (${kind}): exact vlservers text`);
    }
    for (const [cell, kind] of NOT_FOUND) {
      const path = d.p(`cells/${cell}/vlservers`);
      const r = sh(`cat ${path}`);
      t.not(r.status, 0, `${cell}: cat fails`);
      t.equal(r.stderr, `cat: ${path}: No such file or directory\n`, `${cell} (${kind}): ENOENT`);
    }
    t.equal(
      sh(`ls -U ${d.p('cells')}`).stdout,
      'afsdb.test\nalias.test\nbig.test\nboth.test\nexample.test\nlo.test\nupper.test\nv6only.test\nzero.test\n',
      '/cells lists the good cells only, in the daemon\'s own order (ls -U: unsorted)',
    );
    // sh() held this process's event loop: let the daemon's stderr come in.
    const dropped = 'afs-cellfs: warning: cell lo.test: a.lo.test: dropped loopback/unspecified/multicast address(es) 127.0.0.1, ::1\n';
    const deadline = Date.now() + 5000;
    while (!d.stderr.includes(dropped) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    t.ok(d.stderr.includes(dropped), 'the loopback drop is reported on stderr');
    t.equal(await d.stop(), 0, 'SIGTERM exits 0');
  });

  t.test('through [::1]', async (t) => {
    const d = await mount(t, '[::1]');
    for (const [cell, text] of [
      ['example.test', EXAMPLE_TEST],
      ['afsdb.test', AFSDB_TEST_TEXT],
      ['both.test', BOTH_TEST],
    ] as const) {
      const r = sh(`cat ${d.p(`cells/${cell}/vlservers`)}`);
      t.equal(r.status, 0, `${cell}: cat exits 0`);
      t.equal(r.stdout, text, `${cell}: exact text over IPv6`);
    }
    const path = d.p('cells/nosuchcell.test/vlservers');
    t.equal(sh(`cat ${path}`).stderr, `cat: ${path}: No such file or directory\n`, 'NXDOMAIN over IPv6');
    t.equal(await d.stop(), 0);
  });

  t.test('the text does not depend on the order BIND rotates records into', async (t) => {
    // Each run is a fresh process, so a fresh set of queries: BIND hands
    // out the RRsets in a different order each time.
    for (const [cell, text] of [
      ['example.test', EXAMPLE_TEST],
      ['afsdb.test', AFSDB_TEST_TEXT],
      ['big.test', bigTest()],
    ] as const) {
      const outputs = new Set<string>();
      for (let i = 0; i < 4; i++) {
        const dir = sh('mktemp -d').stdout.trim();
        const r = sh(
          `node ${CLI} lookup ${cell} --no-cellservdb --dns-server 127.0.0.1:${named.port} --cache-dir ${dir}/cache; ` +
            `rc=$?; rm -rf ${dir}; exit $rc`,
        );
        t.equal(r.status, 0, `${cell} run ${i + 1}: exit 0`);
        outputs.add(r.stdout);
      }
      t.same([...outputs], [text], `${cell}: the same exact text every time`);
    }
  });
}
