// A lookup that meets a record being destroyed waits until it is gone and
// then gets a fresh record: the old and the new never coexist.
import t from 'tap';
import { ControlledCache } from '../fixtures/controlled-cache.js';
import { GC_DELAY_MS, makeDb } from '../fixtures/db.js';
import { goodResult } from '../fixtures/fake-resolver.js';

t.test('waits for the old record to be removed, then creates a new one', async (t) => {
  const cache = new ControlledCache();
  const { db, clock, resolver } = makeDb({ cache });
  resolver.slowAbort = true;
  const old = await db.lookupCell('dns.example');
  const first = db.vlListFor(old);
  resolver.reply('dns.example', goodResult('dns.example', '192.0.2.1', 0));
  await first;
  // Expired list: this read starts a background refresh and returns at once.
  await clock.advance(600_000);
  await db.vlListFor(old);
  t.equal(resolver.waiting('dns.example'), 1, 'a refresh is in flight');
  db.unuseCell(old, 'lookup');

  await clock.advance(GC_DELAY_MS);
  t.equal(old.usage, 0, 'being destroyed: usage 0');
  t.equal(old.state, 'INACTIVE', 'waiting for its aborted lookup to unwind');
  t.same([...cache.held.keys()], [], 'its cache entry is already given back');

  let fresh: Awaited<ReturnType<typeof db.lookupCell>> | undefined;
  const lookup = db.lookupCell('dns.example').then((c) => (fresh = c));
  await clock.advance(0);
  t.equal(fresh, undefined, 'the new lookup waits');
  t.equal(db.registry.get('dns.example'), old, 'only the old record exists meanwhile');

  t.equal(resolver.finishAborts(), 1);
  await lookup;
  t.equal(old.state, 'REMOVED');
  t.not(fresh, old, 'a fresh record');
  t.equal(db.registry.get('dns.example'), fresh);
  t.equal(db.registry.size, 1);
  t.same([...cache.held.keys()], ['dns.example'], 'the new record holds the entry');
  db.unuseCell(fresh!, 'lookup');
  resolver.slowAbort = false;
  const done = db.purge();
  resolver.finishAborts();
  await done;
});
