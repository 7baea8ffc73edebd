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

t.test('purge with GC timers pending, lookups in flight and pins', async (t) => {
  const { db, clock, resolver } = makeDb({ cells: { 'a.example': '192.0.2.1', 'b.example': '192.0.2.2' } });
  await db.pinCell('a.example', 'preload');
  const idle = await db.lookupCell('b.example');
  db.unuseCell(idle, 'lookup'); // GC timer pending
  const inflight = [await db.lookupCell('x.example'), await db.lookupCell('y.example')];
  for (const c of inflight) db.unuseCell(c, 'lookup'); // idle, first lookup still in flight
  t.equal(resolver.pending.length, 2);
  t.equal(clock.pendingTimers, 1, 'one namespace timer, armed');
  await db.purge();
  t.equal(db.registry.size, 0);
  t.equal(resolver.pending.length, 0, 'lookups aborted');
  t.equal(clock.pendingTimers, 0, 'timer cancelled');
});
