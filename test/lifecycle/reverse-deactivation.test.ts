// A record caught while it is being deactivated is brought back: the same
// record, its cache entry never given up, published again exactly once.
import t from 'tap';
import { ControlledCache } from '../fixtures/controlled-cache.js';
import { GC_DELAY_MS, historyOf, makeDb } from '../fixtures/db.js';

t.test('a lookup during deactivation reverses it', async (t) => {
  const cache = new ControlledCache();
  const { db, clock } = makeDb({ cache });
  const cell = await db.lookupCell('static.example');
  db.unuseCell(cell, 'lookup');

  cache.holdFlushes(); // deactivation will wait for the entry's writes
  await clock.advance(GC_DELAY_MS);
  t.equal(cell.state, 'DEACTIVATING', 'caught mid-deactivation');
  t.same(db.activeCellNames(), [], 'already off the listing');

  const again = db.lookupCell('STATIC.EXAMPLE');
  cache.releaseFlushes();
  t.equal(await again, cell, 'the same record');
  t.equal(cell.state, 'ACTIVE');
  t.same(db.activeCellNames(), ['static.example'], 'listed again');
  t.same(cache.log, ['acquire static.example'], 'its cache entry was never given up');
  t.same(
    historyOf(db, cell.debugId).filter((w) => w.includes('->')),
    ['UNSET->ACTIVATING', 'ACTIVATING->ACTIVE', 'ACTIVE->DEACTIVATING', 'DEACTIVATING->ACTIVE'],
  );
  t.equal(db.registry.size, 1);

  db.unuseCell(cell, 'lookup');
  await clock.advance(GC_DELAY_MS);
  t.equal(cell.state, 'REMOVED', 'and it still goes when idle again');
  t.same(cache.log, ['acquire static.example', 'release static.example']);
});
