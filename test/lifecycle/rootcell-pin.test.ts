// The root cell is pinned while it is the root; a replaced root loses its
// pin and is collected (the kernel kept it forever); a pinned cell whose
// resolution fails keeps retrying and recovers (never stuck FAILED).
import t from 'tap';
import { FAILURE_RETRY_MS } from '../../src/cell/database.js';
import { GC_DELAY_MS, makeDb } from '../fixtures/db.js';
import { goodResult } from '../fixtures/fake-resolver.js';

t.test('a replaced root cell loses its pin and is collected after gc_delay', async (t) => {
  const { db, clock } = makeDb({ cells: { 'one.example': '192.0.2.1', 'two.example': '192.0.2.2' } });
  const one = await db.setRootCell('one.example');
  t.equal(db.rootCell, one);
  t.equal(one.usage, 2, 'the pin is its only use');
  await clock.advance(GC_DELAY_MS * 10);
  t.equal(one.state, 'ACTIVE', 'pinned: never collected');

  const two = await db.setRootCell('two.example\n');
  t.equal(db.rootCell, two);
  t.equal(one.usage, 1, 'old root unpinned');
  t.notOk(one.pins.has('rootcell'));
  await clock.advance(GC_DELAY_MS - 1);
  t.equal(one.state, 'ACTIVE');
  await clock.advance(1);
  t.equal(one.state, 'REMOVED', 'collected exactly gc_delay after losing its pin');
  t.equal(two.state, 'ACTIVE');

  await db.setRootCell('two.example');
  t.equal(two.usage, 2, 'setting the same root again does not pin twice');
  await db.purge();
  t.equal(db.registry.size, 0);
});

t.test('bad input changes nothing', async (t) => {
  const { db } = makeDb({ cells: { 'one.example': '192.0.2.1' } });
  const one = await db.setRootCell('one.example');
  for (const [spec, code] of [
    ['x.example:1.2.3.x', 'EINVAL'],
    ['.bad', 'EINVAL'],
    ['a/b', 'EINVAL'],
    ['a'.repeat(300), 'ENAMETOOLONG'],
  ] as const) {
    await t.rejects(db.setRootCell(spec), { code }, `${spec.slice(0, 20)} -> ${code}`);
    t.equal(db.rootCell, one);
  }
  t.equal(db.registry.size, 1, 'no record was created by bad input');
  t.equal(one.usage, 2);
  await db.purge();
});

t.test('a root cell DNS says does not exist is refused; a temporary failure installs it', async (t) => {
  const { db, clock, resolver } = makeDb();
  const refused = db.setRootCell('nx.example');
  await clock.advance(0);
  resolver.fail('nx.example', 'not-found');
  await t.rejects(refused, { code: 'ENOENT' });
  t.equal(db.rootCell, null, 'nothing changed');

  const flaky = db.setRootCell('flaky.example');
  await clock.advance(0);
  resolver.fail('flaky.example', 'temp-failure');
  const root = await flaky;
  t.equal(db.rootCell, root, 'installed despite the temporary failure');
  t.equal(root.vlList.status, 'temp-failure');

  // Pinned and failing: it keeps retrying every 10 s, and recovers.
  for (let attempt = 2; attempt <= 4; attempt++) {
    await clock.advance(FAILURE_RETRY_MS);
    t.equal(resolver.waiting('flaky.example'), 1, `retry ${attempt} started`);
    if (attempt < 4) resolver.fail('flaky.example', 'temp-failure');
    await clock.advance(0);
  }
  resolver.reply('flaky.example', goodResult('flaky.example', '192.0.2.9'));
  await clock.advance(0);
  t.equal(root.state, 'ACTIVE', 'never FAILED');
  t.equal((await db.vlListFor(root)).status, 'good', 'recovered when DNS did');
  await db.purge();
});

t.test('addresses given for an existing cell replace its list', async (t) => {
  const { db } = makeDb({ cells: { 'one.example': '192.0.2.1' } });
  const cell = await db.setRootCell('one.example:198.51.100.1:198.51.100.2');
  t.equal(cell.vlList.servers[0]!.name, '<dummy>');
  t.same(
    cell.vlList.servers[0]!.addresses.map((a) => a.address),
    ['198.51.100.1', '198.51.100.2'],
  );
  await db.purge();
});
