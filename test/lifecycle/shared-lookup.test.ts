// Concurrent lookups of one name, in any case, share one record and one
// DNS lookup; the seed's rule that two records of a name never coexist.
import t from 'tap';
import { makeDb } from '../fixtures/db.js';
import { goodResult } from '../fixtures/fake-resolver.js';

t.test('concurrent first lookups share one record and one resolution', async (t) => {
  const { db, resolver } = makeDb();
  const names = ['Shared.Example', 'shared.example', 'SHARED.EXAMPLE', 'shared.Example'];
  const cells = await Promise.all(names.map((n) => db.lookupCell(n)));
  t.ok(cells.every((c) => c === cells[0]), 'one record');
  t.equal(cells[0]!.name, 'shared.example', 'stored lower-cased');
  t.equal(cells[0]!.usage, 1 + names.length, 'one use per lookup plus the database');
  t.same(resolver.started, ['shared.example'], 'one DNS lookup');
  const lists = Promise.all(cells.map((c) => db.vlListFor(c)));
  resolver.reply('shared.example', goodResult('shared.example'));
  const got = await lists;
  t.ok(got.every((l) => l === got[0]), 'every waiter gets the same list');
  t.same(resolver.started, ['shared.example'], 'still one DNS lookup');
  t.equal(db.registry.size, 1);
  for (const c of cells) db.unuseCell(c, 'lookup');
  await db.purge();
});

t.test('invalid names are refused before any record or DNS query', async (t) => {
  const { db, resolver } = makeDb();
  for (const [name, code] of [
    ['', 'EINVAL'],
    ['.lead', 'EINVAL'],
    ['a..b', 'EINVAL'],
    ['a/b', 'EINVAL'],
    ['x'.repeat(254), 'ENAMETOOLONG'],
  ] as const) {
    await t.rejects(db.lookupCell(name), { code }, `${name.slice(0, 20)} -> ${code}`);
  }
  t.equal(db.registry.size, 0);
  t.same(resolver.started, []);
});

t.test('with DNS off a cell in no CellServDB does not exist', async (t) => {
  const { db } = makeDb({ dns: false });
  await t.rejects(db.lookupCell('unknown.example'), { code: 'ENOENT' });
  t.equal(db.registry.size, 0, 'no record was made');
  const known = await db.lookupCell('static.example');
  t.equal(known.vlList.source, 'cfg');
  db.unuseCell(known, 'lookup');
  await db.purge();
});
