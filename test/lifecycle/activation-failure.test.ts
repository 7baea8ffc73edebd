// A cell whose activation fails is never listed, its waiters get the error,
// and it is removed so that the next lookup starts afresh.
import t from 'tap';
import { AfsError } from '../../src/errors.js';
import { ControlledCache } from '../fixtures/controlled-cache.js';
import { historyOf, makeDb } from '../fixtures/db.js';

t.test('activation failure: error to every waiter, removed, never listed', async (t) => {
  const cache = new ControlledCache();
  const { db, clock, warnings } = makeDb({ cache });
  cache.failNextAcquire = new AfsError('EIO', 'cache broken');
  const waiters = [db.lookupCell('static.example'), db.lookupCell('Static.Example')];
  for (const w of waiters) await t.rejects(w, { code: 'EIO', message: 'cache broken' });
  const failed = db.trace.events().find((e) => e.what === 'ACTIVATING->FAILED');
  t.ok(failed, 'went to FAILED');
  await clock.advance(0);
  t.equal(db.registry.size, 0, 'removed once its waiters let go');
  t.same(db.activeCellNames(), [], 'never listed');
  t.same(
    historyOf(db, failed!.cellId).filter((w) => w.includes('->')),
    ['UNSET->ACTIVATING', 'ACTIVATING->FAILED', 'FAILED->REMOVED'],
  );
  t.same(cache.log, [], 'no entry was taken, none released');
  t.ok(warnings.some((w) => w.includes('activation failed')));

  const ok = await db.lookupCell('static.example');
  t.equal(ok.state, 'ACTIVE', 'the next lookup gets a working record');
  t.not(ok.debugId, failed!.cellId);
  db.unuseCell(ok, 'lookup');
  await db.purge();
});
