// The mount on the bundled CellServDB with DNS off, driven by real
// processes: ls, cat, echo >, readlink, mkdir, and SIGTERM.
import t from 'tap';
import { GRAND_CENTRAL_TEXT } from '../fixtures/sample-cells.js';
import { CLI, Daemon, isMounted, sh } from '../fixtures/mount.js';

t.test('cells appear on lookup and vanish after gc_delay', async (t) => {
  const d = await Daemon.start(['--gc-delay', '1']);
  t.teardown(() => d.cleanup());

  t.equal(sh(`ls -A ${d.p('cells')}`).stdout, '', '/cells is empty at start');

  const cat = sh(`cat ${d.p('cells/grand.central.org/vlservers')}`);
  t.equal(cat.status, 0);
  t.equal(
    cat.stdout,
    GRAND_CENTRAL_TEXT,
    'vlservers lists the CellServDB servers',
  );
  t.equal(sh(`ls ${d.p('cells')}`).stdout, 'grand.central.org\n', 'the cell is listed once looked up');

  t.equal(
    sh(`cat ${d.p('cells/GRAND.Central.ORG/vlservers')}`).stdout,
    cat.stdout,
    'upper case names the same cell',
  );
  t.equal(sh(`ls ${d.p('cells')}`).stdout, 'grand.central.org\n', 'still one cell');

  // The grace is 1 s: poll (bounded) rather than assert a time.
  let listing = '';
  for (let i = 0; i < 100; i++) {
    listing = sh(`ls ${d.p('cells')}`).stdout;
    if (listing === '') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  t.equal(listing, '', 'gone once closed and gc_delay has passed');

  const stat = sh(`stat -c '%A %s' ${d.p('cells/grand.central.org/vlservers')} ${d.p('rootcell')} ${d.p('cells')}`);
  t.equal(stat.stdout, '-r--r--r-- 0\n-rw-r--r-- 0\ndr-xr-xr-x 0\n', 'modes and sizes');

  t.equal(await d.stop(), 0, 'SIGTERM exits 0');
  t.notOk(isMounted(d.dir), 'no mount left');
});

t.test('unknown and invalid cells', async (t) => {
  const d = await Daemon.start([]);
  t.teardown(() => d.cleanup());
  const missing = sh(`cat ${d.p('cells/no-such.example/vlservers')}`);
  t.not(missing.status, 0);
  t.match(missing.stderr, /No such file or directory/);
  t.match(sh(`cat ${d.p('cells/.bad/vlservers')}`).stderr, /No such file or directory/, 'invalid name is ENOENT');
  const serverless = sh(`cat ${d.p('cells/ams.cern.ch/vlservers')}`);
  t.match(serverless.stderr, /Destination address required/, 'a CellServDB cell without servers and DNS off');
  t.match(sh(`stat ${d.p(`cells/${'a'.repeat(254)}`)}`).stderr, /File name too long/, '254-byte name');
  t.match(sh(`stat ${d.p(`cells/${'a'.repeat(64)}.example`)}`).stderr, /File name too long/, '64-byte label');
  t.match(sh(`mkdir ${d.p('cells/foo')}`).stderr, /Operation not permitted/, 'mkdir is EPERM');
  t.match(sh(`touch ${d.p('newfile')}`).stderr, /Operation not permitted/, 'create is EPERM');
  t.match(
    sh(`echo x > ${d.p('cells/grand.central.org/vlservers')}`).stderr,
    /Permission denied/,
    'writing a read-only file is EACCES',
  );
  t.equal(sh(`ls -A ${d.p('cells')}`).stdout, 'grand.central.org\n', 'only the cell with servers was kept');
  t.equal(await d.stop(), 0);
});

t.test('/rootcell: install, read, link, errors change nothing', async (t) => {
  const d = await Daemon.start([]);
  t.teardown(() => d.cleanup());
  const rootcell = d.p('rootcell');
  t.equal(sh(`cat ${rootcell}`).stdout, '', 'empty when unset');
  t.equal(sh(`ls -A ${d.p('cells')}`).stdout, '', 'no @cell while unset');

  t.equal(sh(`echo grand.central.org > ${rootcell}`).status, 0);
  t.equal(sh(`cat ${rootcell}`).stdout, 'grand.central.org\n');
  t.equal(sh(`readlink ${d.p('cells/@cell')}`).stdout, 'grand.central.org\n');
  t.equal(sh(`ls ${d.p('cells')}`).stdout, '@cell\ngrand.central.org\n');
  t.match(sh(`cat ${d.p('cells/@cell/vlservers')}`).stdout, /^# source cfg, status good\n/, '@cell resolves');

  t.equal(sh(`echo 'x.example:192.0.2.1:192.0.2.2' > ${rootcell}`).status, 0);
  t.equal(sh(`cat ${rootcell}`).stdout, 'x.example\n');
  t.equal(
    sh(`cat ${d.p('cells/x.example/vlservers')}`).stdout,
    '# source cfg, status good\n<dummy> [p=0 w=0 s=cfg,good]:\n > 192.0.2.1:7003\n - 192.0.2.2:7003\n',
  );

  const bad: [string, RegExp][] = [
    ['x.example:1.2.3.x', /Invalid argument/],
    ['.bad', /Invalid argument/],
    ['a/b', /Invalid argument/],
    ['y.example:010.0.0.1', /Invalid argument/],
    ['a'.repeat(300), /File name too long/],
    ['not-in-cellservdb.example', /No such file or directory/],
  ];
  for (const [input, error] of bad) {
    const r = sh(`echo '${input}' > ${rootcell}`);
    t.not(r.status, 0, `${input.slice(0, 30)} fails`);
    t.match(r.stderr, error, `${input.slice(0, 30)}: ${String(error)}`);
    t.equal(sh(`cat ${rootcell}`).stdout, 'x.example\n', 'root cell unchanged');
  }
  t.equal(sh(`ls ${d.p('cells')}`).stdout, '@cell\ngrand.central.org\nx.example\n', 'no cell was made by bad input');

  const other = sh(`su -s /bin/bash nobody -c "echo 'evil.example:192.0.2.66' > ${rootcell}"`);
  t.match(other.stderr, /Permission denied/, 'another user cannot write /rootcell');
  t.match(sh(`su -s /bin/bash nobody -c "truncate -s 0 ${rootcell}"`).stderr, /Permission denied/);
  t.match(sh(`su -s /bin/bash nobody -c "cat ${rootcell}"`).stdout, /^x\.example\n$/, 'but can read it');
  t.equal(sh(`cat ${rootcell}`).stdout, 'x.example\n', 'unchanged');
  t.equal(await d.stop(), 0);
});

t.test('--preload pins every CellServDB cell; --rootcell installs the workstation cell', async (t) => {
  const d = await Daemon.start(['--preload', '--gc-delay', '0.1', '--rootcell', 'GRAND.central.org']);
  t.teardown(() => d.cleanup());
  const listed = () => sh(`ls ${d.p('cells')}`).stdout.split('\n').filter(Boolean);
  t.equal(listed().length, 188, '187 cells and @cell');
  await new Promise((r) => setTimeout(r, 500)); // several grace periods: pinned cells stay
  t.equal(listed().length, 188, 'none collected');
  t.equal(sh(`cat ${d.p('rootcell')}`).stdout, 'grand.central.org\n');
  t.match(sh(`cat ${d.p('stats')}`).stdout, /^records\.live: 187$/m);
  t.equal(await d.stop(), 0);
});

t.test('a bad --rootcell stops the daemon before it mounts', async (t) => {
  const r = sh(`node ${CLI} mount /tmp/afs-cellfs-never-mounted --rootcell 'bad..name' 2>&1; echo "rc=$?"`);
  t.match(r.stdout, /--rootcell bad\.\.name: .*\(EINVAL, errno 22\)\nrc=1\n$/);
  t.notOk(isMounted('/tmp/afs-cellfs-never-mounted'));
});
