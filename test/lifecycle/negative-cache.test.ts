// A failed lookup outlives the record it was made for: a record with no
// servers is destroyed at once, but a new record of the name starts from
// the failure until its retry time instead of asking DNS again.
import t from 'tap';
import { FAILURE_RETRY_MS, NOT_FOUND_RETRY_MS } from '../../src/cell/database.js';
import { NegativeCache } from '../../src/cell/negative-cache.js';
import { makeDb } from '../fixtures/db.js';
import { goodResult } from '../fixtures/fake-resolver.js';

/** Looks `name` up, reads its list (expecting an error), gives the use back. */
async function readFails(db: ReturnType<typeof makeDb>['db'], name: string): Promise<string> {
  const cell = await db.lookupCell(name);
  try {
    await db.vlListFor(cell);
    return 'no error';
  } catch (err) {
    return (err as { code: string }).code;
  } finally {
    db.unuseCell(cell, 'lookup');
  }
}

t.test('not-found is remembered for 61 s across records', async (t) => {
  const { db, clock, resolver } = makeDb();
  const first = readFails(db, 'nx.example');
  await clock.advance(0);
  resolver.fail('nx.example', 'not-found');
  t.equal(await first, 'ENOENT');
  await clock.advance(0);
  t.equal(db.registry.size, 0, 'the record went at once');

  await clock.advance(NOT_FOUND_RETRY_MS - 1);
  t.equal(await readFails(db, 'nx.example'), 'ENOENT', 'a new record answers from the failure');
  t.equal(resolver.started.length, 1, 'without asking DNS');

  await clock.advance(1);
  const again = readFails(db, 'nx.example');
  await clock.advance(0);
  t.equal(resolver.started.length, 2, 'asked again once the retry time has come');
  resolver.reply('nx.example', goodResult('nx.example'));
  t.equal(await again, 'no error', 'and it exists now');
  await db.purge();
});

t.test('a temporary failure is remembered for 10 s; success forgets it', async (t) => {
  const { db, clock, resolver } = makeDb();
  const first = readFails(db, 'flaky.example');
  await clock.advance(0);
  resolver.fail('flaky.example', 'temp-failure');
  t.equal(await first, 'EDESTADDRREQ');
  await clock.advance(FAILURE_RETRY_MS - 1);
  // Readers queued behind each other (the kernel's per-directory lock) get
  // the failure at once instead of one fresh lookup each.
  for (let i = 0; i < 5; i++) t.equal(await readFails(db, 'flaky.example'), 'EDESTADDRREQ');
  t.equal(resolver.started.length, 1, 'five readers, no new lookup');
  await clock.advance(1);
  const retry = readFails(db, 'flaky.example');
  await clock.advance(0);
  resolver.reply('flaky.example', goodResult('flaky.example'));
  t.equal(await retry, 'no error');
  await clock.advance(10_000);
  t.equal(db.registry.size, 0);
  const fresh = await db.lookupCell('flaky.example');
  t.equal(resolver.started.length, 3, 'after a success the name is looked up normally');
  db.unuseCell(fresh, 'lookup');
  await db.purge();
});

t.test('NegativeCache: expiry and capacity', async (t) => {
  const cache = new NegativeCache(3);
  cache.remember('a', 'not-found', 100);
  cache.remember('b', 'temp-failure', 50);
  t.same(cache.get('a', 99), { status: 'not-found', until: 100 });
  t.equal(cache.get('a', 100), undefined, 'expired at its retry time');
  t.equal(cache.size, 1, 'and dropped');
  cache.remember('c', 'bad', 200);
  cache.remember('d', 'bad', 200);
  cache.remember('e', 'bad', 200);
  t.equal(cache.size, 3, 'capacity holds');
  t.equal(cache.get('b', 0), undefined, 'the oldest was forgotten');
  cache.forget('e');
  t.equal(cache.get('e', 0), undefined);
});
