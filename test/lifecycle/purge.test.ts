// purge() counts every record out: pins and the root cell dropped, DNS in
// flight aborted, registry empty, and nothing accepted afterwards.
import t from 'tap';
import { makeDb } from '../fixtures/db.js';

t.test('purge empties the registry and resolves', async (t) => {
  const { db, clock, resolver } = makeDb();
  await db.setRootCell('static.example');
  const idle = await db.lookupCell('idle.example');
  resolver.good('idle.example');
  await clock.advance(0);
  db.unuseCell(idle, 'lookup');
  const waiting = await db.lookupCell('pending.example'); // DNS never answers
  const reader = db.vlListFor(waiting);
  t.equal(db.registry.size, 3);

  const purged = db.purge();
  await t.rejects(reader, { code: 'ESHUTDOWN' }, 'a waiting reader is told we are shutting down');
  db.unuseCell(waiting, 'lookup');
  await purged;
  t.equal(db.registry.size, 0, 'no record left');
  t.equal(db.rootCell, null);
  t.equal(resolver.aborted, 1, 'the lookup in flight was aborted');
  t.ok(resolver.closed, 'resolver closed');
  t.equal(db.scheduler.armedAt, null, 'no timer left');
  await t.rejects(db.lookupCell('static.example'), { code: 'ESHUTDOWN' });
  t.equal(db.purge(), purged, 'idempotent');
});
