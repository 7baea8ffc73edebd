// A removed record is inert: nothing scheduled, no manager run, no use.
import t from 'tap';
import { GC_DELAY_MS, historyOf, makeDb } from '../fixtures/db.js';

t.test('timers and managers do nothing for a removed record', async (t) => {
  const { db, clock } = makeDb();
  const cell = await db.lookupCell('static.example');
  db.unuseCell(cell, 'lookup');
  await clock.advance(GC_DELAY_MS);
  t.equal(cell.state, 'REMOVED');
  const events = historyOf(db, cell.debugId).length;
  t.equal(db.scheduler.dueOf(cell), undefined, 'not in the heap');
  t.equal(clock.pendingTimers, 0, 'no timer left armed');
  await clock.advance(GC_DELAY_MS * 1000);
  t.equal(historyOf(db, cell.debugId).length, events, 'no event for it after removal');
  t.throws(() => db.useCell(cell, 'lookup'), /BUG/, 'a use of a removed record is a bug, loudly');
  t.throws(() => db.unuseCell(cell, 'lookup'), /BUG/);
});
