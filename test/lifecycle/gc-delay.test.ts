// An idle cell is destroyed exactly gc_delay after its last use, not a tick
// before, and a use before then keeps the same record alive.
import t from 'tap';
import { GC_DELAY_MS, makeDb } from '../fixtures/db.js';

t.test('destroyed exactly gc_delay after the last use', async (t) => {
  const { db, clock } = makeDb();
  const cell = await db.lookupCell('static.example');
  t.equal(cell.state, 'ACTIVE');
  t.same(db.activeCellNames(), ['static.example']);
  await clock.advance(5_000);
  db.unuseCell(cell, 'lookup');
  await clock.advance(GC_DELAY_MS - 1);
  t.equal(db.registry.get('static.example'), cell, 'still there one ms before');
  t.same(db.activeCellNames(), ['static.example']);
  await clock.advance(1);
  t.equal(cell.state, 'REMOVED', 'removed at exactly gc_delay');
  t.equal(db.registry.size, 0);
  t.same(db.activeCellNames(), []);
  t.equal(db.stats.recordsDestroyed, 1);
});

t.test('a use before expiry keeps the record and restarts the grace', async (t) => {
  const { db, clock } = makeDb();
  const first = await db.lookupCell('static.example');
  db.unuseCell(first, 'lookup');
  await clock.advance(GC_DELAY_MS - 1);
  const again = await db.lookupCell('STATIC.example');
  t.equal(again, first, 'same record');
  await clock.advance(GC_DELAY_MS * 3);
  t.equal(first.state, 'ACTIVE', 'never collected while in use');
  db.unuseCell(again, 'lookup');
  await clock.advance(GC_DELAY_MS - 1);
  t.equal(first.state, 'ACTIVE');
  await clock.advance(1);
  t.equal(first.state, 'REMOVED');
});

t.test('a cell with no servers goes at once, but only after its first answer', async (t) => {
  const { db, clock, resolver } = makeDb();
  const cell = await db.lookupCell('nowhere.example');
  t.equal(resolver.waiting('nowhere.example'), 1, 'first lookup started');
  db.unuseCell(cell, 'lookup');
  await clock.advance(GC_DELAY_MS * 5);
  t.equal(cell.state, 'ACTIVE', 'kept while its first resolution is in flight');
  resolver.fail('nowhere.example', 'not-found');
  await clock.advance(0);
  t.equal(cell.state, 'REMOVED', 'destroyed as soon as it is known to have no servers');
});

t.test('a record in use is never collected, however long', async (t) => {
  const { db, clock } = makeDb();
  const cell = await db.lookupCell('static.example');
  await clock.advance(GC_DELAY_MS * 100);
  t.equal(cell.state, 'ACTIVE');
  t.equal(db.scheduler.size, 0, 'a static cell in use has nothing scheduled');
  db.unuseCell(cell, 'lookup');
  t.equal(db.scheduler.dueOf(cell), clock.now() + GC_DELAY_MS, 'GC scheduled on the last unuse');
  await db.purge();
});
