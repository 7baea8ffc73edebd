// Count-out and restarts on a real mount: SIGTERM while a DNS answer is
// held back, unmount from outside, SIGKILL then a new daemon on the same
// mountpoint, and a warm cache serving a cell while its DNS server is gone.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { a, srv, TestDnsServer } from '../fixtures/dns-server.js';
import { Daemon, isMounted, sh, shAsync } from '../fixtures/mount.js';

/** Resolves with the daemon's exit code, or 'hung' if it is still running after `ms`. */
function exitWithin(d: Daemon, ms: number): Promise<number | null | 'hung'> {
  return Promise.race([d.exited(), new Promise<'hung'>((r) => setTimeout(() => r('hung'), ms))]);
}

t.test('SIGTERM during a held-back DNS answer: count-out, exit 0', async (t) => {
  const dns = await TestDnsServer.start();
  t.teardown(() => dns.close());
  dns.add('_afs3-vlserver._udp.slow.example', srv(0, 0, 7003, 'vl.slow.example'));
  dns.add('vl.slow.example', a('192.0.2.20'));
  const hold = dns.hold('_afs3-vlserver._udp.slow.example', 'SRV');
  const d = await Daemon.start(['--no-cellservdb', '--dns-server', dns.spec]);
  t.teardown(() => d.cleanup());

  const reader = shAsync(`cat ${d.p('cells/slow.example/vlservers')}`);
  await hold.waitForPending(1);
  // A file held open across the signal must not hold up the count-out.
  const holder = shAsync(`exec 3< ${d.p('rootcell')}; kill -TERM ${d.child.pid}; sleep 1`);
  // A bound on hanging, not a speed measurement: the purge must not wait for DNS.
  t.equal(await exitWithin(d, 2000), 0, 'exits 0 within 2 s');
  await holder;
  t.notOk(isMounted(d.dir), 'no mount left');
  const read = await reader;
  t.not(read.status, 0, 'the waiting reader was answered (with an error), not left hanging');
  t.match(d.stderr, /SIGTERM: shutting down/);
});

t.test('unmount from outside runs the count-out and exits 0', async (t) => {
  const d = await Daemon.start([]);
  t.teardown(() => d.cleanup());
  t.equal(sh(`cat ${d.p('cells/grand.central.org/vlservers')}`).status, 0);
  t.equal(sh(`umount -l ${d.dir}`).status, 0);
  t.equal(await exitWithin(d, 5000), 0, 'the daemon noticed and exited 0');
  t.match(d.stderr, /unmounted from outside/);
});

t.test('SIGKILL leaves no stale mount, and a new daemon starts on the same mountpoint', async (t) => {
  const first = await Daemon.start([]);
  t.teardown(() => first.cleanup());
  t.equal(sh(`cat ${first.p('cells/grand.central.org/vlservers')}`).status, 0);
  t.equal(await first.stop('SIGKILL'), null, 'killed');
  // auto_unmount: the kernel drops the mount once /dev/fuse closes (bounded poll).
  for (let i = 0; i < 100 && isMounted(first.dir); i++) await new Promise((r) => setTimeout(r, 20));
  t.notOk(isMounted(first.dir), 'no stale mount');
  t.not(sh(`ls ${first.p('cells')} 2>&1`).stdout.includes('Transport endpoint is not connected'), true);

  const second = await Daemon.start([], first.dir);
  t.teardown(() => second.cleanup());
  t.match(sh(`cat ${second.p('cells/grand.central.org/vlservers')}`).stdout, /^# source cfg, status good\n/);
  t.equal(await second.stop(), 0);
});

t.test('a warm cache serves a DNS cell after a restart while DNS is down', async (t) => {
  const cacheDir = mkdtempSync(path.join(tmpdir(), 'afs-cellfs-cache-'));
  t.teardown(() => rmSync(cacheDir, { recursive: true, force: true }));
  const dns = await TestDnsServer.start();
  dns.add('_afs3-vlserver._udp.warm.example', srv(5, 10, 7003, 'vl.warm.example'));
  dns.add('vl.warm.example', a('192.0.2.30'));
  const args = ['--no-cellservdb', '--dns-server', dns.spec, '--cache-dir', cacheDir, '--dns-timeout', '200'];

  const first = await Daemon.start(args);
  t.teardown(() => first.cleanup());
  // The DNS server lives in this process: readers must not block its loop.
  const fresh = await shAsync(`cat ${first.p('cells/warm.example/vlservers')}`);
  t.equal(
    fresh.stdout,
    '# source SRV, status good\nvl.warm.example [p=5 w=10 s=SRV,good]:\n > 192.0.2.30:7003\n',
  );
  t.equal(await first.stop(), 0);
  t.same(readdirSync(cacheDir), ['warm.example.vl.json'], 'the list was saved');
  const port = dns.port;
  await dns.close(); // DNS is down from here on

  const second = await Daemon.start(args);
  t.teardown(() => second.cleanup());
  const cached = await shAsync(`cat ${second.p('cells/warm.example/vlservers')}`);
  t.equal(cached.status, 0, 'served although DNS is down');
  t.match(cached.stdout, /^# source SRV, status good\n# cached list from \d{4}-\d\d-\d\dT[\d:.]+Z\n/, 'marked as cached');
  t.match(cached.stdout, /vl\.warm\.example \[p=5 w=10 s=SRV,good\]:\n > 192\.0\.2\.30:7003\n$/);
  // The background refresh fails (nothing on port `port`); the list stays.
  let after = '';
  for (let i = 0; i < 100; i++) {
    after = (await shAsync(`cat ${second.p('cells/warm.example/vlservers')}`)).stdout;
    if (after.includes('last refresh')) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  t.match(after, /# last refresh: temp-failure, retry in \d+s\n/, `refresh against the dead server :${port} failed`);
  t.match(after, / > 192\.0\.2\.30:7003\n$/, 'and the cached list is still served');
  t.equal(await second.stop(), 0);
});

t.test('SIGUSR1 does not open a debugger; SIGHUP shuts down cleanly', async (t) => {
  const d = await Daemon.start([]);
  t.teardown(() => d.cleanup());
  d.child.kill('SIGUSR1');
  t.match(sh(`cat ${d.p('cells/grand.central.org/vlservers')}`).stdout, /^# source cfg/, 'still serving');
  // The daemon's stderr reaches us through this process's event loop: poll.
  for (let i = 0; i < 100 && !d.stderr.includes('SIGUSR1 ignored'); i++) await new Promise((r) => setTimeout(r, 20));
  t.match(d.stderr, /SIGUSR1 ignored/);
  t.notMatch(d.stderr, /Debugger listening/);
  d.child.kill('SIGHUP');
  t.equal(await exitWithin(d, 5000), 0, 'SIGHUP: count-out, exit 0');
  t.notOk(isMounted(d.dir));
});
