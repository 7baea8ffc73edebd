// DNS-derived expiry on a fake clock: TTL clamps, the 61 s and 10 s retries,
// stale lists served while one refresh runs, failed refreshes keeping the
// old list, and in-use cells refreshed by the manager (idle ones are not).
import t from 'tap';
import { FAILURE_RETRY_MS, NOT_FOUND_RETRY_MS } from '../../src/cell/database.js';
import { renderVlservers } from '../../src/vl/vl-list.js';
import { makeDb } from '../fixtures/db.js';
import { goodResult } from '../fixtures/fake-resolver.js';

const MIN_TTL = 600_000;
const MAX_TTL = 86_400_000;

/** A DB with one in-use DNS cell whose first answer was `ttl` seconds. */
async function resolvedCell(ttl: number) {
  const env = makeDb();
  const cell = await env.db.lookupCell('dns.example');
  const first = env.db.vlListFor(cell);
  env.resolver.reply('dns.example', goodResult('dns.example', '192.0.2.1', ttl));
  await first;
  return { ...env, cell };
}

t.test('TTL inside the clamp is used as is', async (t) => {
  const { db, clock, cell } = await resolvedCell(3600);
  t.equal(cell.dnsExpiry, clock.now() + 3_600_000);
  t.equal(db.scheduler.dueOf(cell), cell.dnsExpiry, 'in use: the manager is due at expiry');
  db.unuseCell(cell, 'lookup');
  await db.purge();
});

t.test('TTL 0 and tiny TTLs are clamped up (no spinning)', async (t) => {
  for (const ttl of [0, 1, 599]) {
    const { db, clock, cell, resolver } = await resolvedCell(ttl);
    t.equal(cell.dnsExpiry, clock.now() + MIN_TTL, `ttl ${ttl} -> min_ttl`);
    await clock.advance(MIN_TTL - 1);
    t.equal(resolver.started.length, 1, `ttl ${ttl}: no query before min_ttl`);
    db.unuseCell(cell, 'lookup');
    await db.purge();
  }
});

t.test('huge TTLs are clamped down', async (t) => {
  const { db, clock, cell } = await resolvedCell(10 * 86_400);
  t.equal(cell.dnsExpiry, clock.now() + MAX_TTL);
  db.unuseCell(cell, 'lookup');
  await db.purge();
});

t.test('in-use cells are refreshed when their expiry passes; a stale list is served meanwhile', async (t) => {
  const { db, clock, cell, resolver } = await resolvedCell(900);
  const firstList = cell.vlList;
  await clock.advance(900_000 - 1);
  t.equal(resolver.started.length, 1, 'nothing before expiry');
  await clock.advance(1);
  t.equal(resolver.started.length, 2, 'the manager refreshed at expiry');
  t.equal(await db.vlListFor(cell), firstList, 'the expired list is served at once while refreshing');
  t.equal(await db.vlListFor(cell), firstList);
  t.equal(resolver.started.length, 2, 'one refresh in flight, shared');
  resolver.reply('dns.example', goodResult('dns.example', '192.0.2.2', 900));
  await clock.advance(0);
  t.equal(cell.vlList.servers[0]!.addresses[0]!.address, '192.0.2.2', 'then replaced by the fresh one');
  db.unuseCell(cell, 'lookup');
  await db.purge();
});

t.test('a failed refresh keeps the old list and retries in 10 s', async (t) => {
  const { db, clock, cell, resolver } = await resolvedCell(900);
  const good = cell.vlList;
  await clock.advance(900_000);
  resolver.fail('dns.example', 'temp-failure');
  await clock.advance(0);
  t.equal(cell.vlList, good, 'an empty result never replaces a list with servers');
  t.equal(cell.dnsExpiry, clock.now() + FAILURE_RETRY_MS);
  t.match(renderVlservers(cell.vlList, db.vlNotes(cell)), /^# source SRV, status good\n# last refresh: temp-failure, retry in 10s\n/);
  await clock.advance(FAILURE_RETRY_MS - 1);
  t.equal(resolver.started.length, 2, 'no retry before 10 s');
  await clock.advance(1);
  t.equal(resolver.started.length, 3, 'retried at 10 s');
  resolver.fail('dns.example', 'not-found');
  await clock.advance(0);
  t.equal(cell.vlList, good, 'not even a not-found replaces it');
  t.equal(cell.dnsExpiry, clock.now() + NOT_FOUND_RETRY_MS, 'not-found retries in 61 s');
  db.unuseCell(cell, 'lookup');
  await db.purge();
});

t.test('first-lookup failures: not-found is ENOENT and retried in 61 s, others EDESTADDRREQ in 10 s', async (t) => {
  const { db, clock, resolver } = makeDb();
  const pinned = await db.lookupCell('gone.example');
  const read = db.vlListFor(pinned);
  resolver.fail('gone.example', 'not-found');
  await t.rejects(read, { code: 'ENOENT' });
  t.equal(pinned.dnsExpiry, clock.now() + NOT_FOUND_RETRY_MS);
  await t.rejects(db.vlListFor(pinned), { code: 'ENOENT' }, 'no new query before the retry time');
  t.equal(resolver.started.length, 1);
  await clock.advance(NOT_FOUND_RETRY_MS);
  t.equal(resolver.started.length, 2, 'retried at 61 s while in use');

  const flaky = await db.lookupCell('flaky.example');
  const flakyRead = db.vlListFor(flaky);
  resolver.fail('flaky.example', 'temp-failure');
  await t.rejects(flakyRead, { code: 'EDESTADDRREQ' });
  t.equal(flaky.dnsExpiry, clock.now() + FAILURE_RETRY_MS);
  db.unuseCell(pinned, 'lookup');
  db.unuseCell(flaky, 'lookup');
  await db.purge();
});

t.test('idle cells cause no DNS traffic', async (t) => {
  const { db, clock, cell, resolver } = await resolvedCell(600);
  db.unuseCell(cell, 'lookup');
  await clock.advance(9_999);
  t.equal(resolver.started.length, 1);
  t.equal(cell.state, 'ACTIVE', 'idle but inside its grace');
  // Make the grace longer than the TTL to be sure expiry alone never queries.
  await db.purge();
  const long = makeDb();
  const c = await long.db.lookupCell('idle.example');
  const read = long.db.vlListFor(c);
  long.resolver.reply('idle.example', goodResult('idle.example', '192.0.2.1', 0));
  await read;
  long.db.unuseCell(c, 'lookup');
  t.equal(long.db.scheduler.dueOf(c), long.clock.now() + 10_000, 'only the GC is scheduled');
  await long.clock.advance(10_000);
  t.equal(c.state, 'REMOVED');
  t.same(long.resolver.started, ['idle.example'], 'one lookup in its whole life');
});
