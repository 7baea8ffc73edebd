// The cache entry (the seed's FS-Cache cookie): held from activation to
// deactivation, never by two records of one name, written atomically, and
// read back after a restart so a DNS cell is served at once.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { CellCache } from '../../src/cell/cache.js';
import { CellDatabase } from '../../src/cell/database.js';
import { renderVlservers } from '../../src/vl/vl-list.js';
import { FakeClock } from '../fixtures/fake-clock.js';
import { FakeResolver, goodResult } from '../fixtures/fake-resolver.js';

const GC = 10_000;

function makeDb(dir: string | null) {
  const clock = new FakeClock();
  const resolver = new FakeResolver();
  const warnings: string[] = [];
  const warn = (m: string) => warnings.push(m);
  const cache = new CellCache(dir, warn);
  const db = new CellDatabase({ clock, resolver, cache, gcDelayMs: GC, warn });
  return { db, clock, resolver, cache, warnings };
}

t.test('acquiring an entry that is held throws', async (t) => {
  const cache = new CellCache(null);
  const entry = cache.acquire('a.example');
  t.throws(() => cache.acquire('a.example'), /acquired twice/);
  cache.release(entry);
  t.doesNotThrow(() => cache.acquire('a.example'), 'free again after release');
});

t.test('rapid destroy and recreate of one name never holds the entry twice', async (t) => {
  // No directory: the holder rule is the same, and without file I/O the
  // interleavings (and so the record count) are exactly reproducible.
  const { db, clock, resolver, cache, warnings } = makeDb(null);
  let records = 0;
  let last = null;
  const holders: string[] = [];
  for (let round = 0; round < 200; round++) {
    const cell = await db.lookupCell('churn.example');
    if (cell !== last) records++;
    last = cell;
    holders.push(cache.heldNames().join(','));
    if (resolver.waiting('churn.example') > 0) resolver.reply('churn.example', goodResult('churn.example'));
    db.unuseCell(cell, 'lookup');
    // Alternate: let it die, or catch it mid-way at various points.
    await clock.advance(round % 3 === 0 ? GC : round % 3 === 1 ? GC - 1 : 0);
  }
  t.equal(records, 68, 'a fresh record in round 0 and after each full grace (rounds 1, 4, 7 … 199)');
  t.same(new Set(holders), new Set(['churn.example']), 'exactly one holder whenever a lookup returned');
  t.same(warnings.filter((w) => w.includes('BUG')), [], 'no lifecycle bug reported');
  await db.purge();
  t.same(cache.heldNames(), [], 'purge gives every entry back');
});

t.test('after a restart a DNS cell is served from the cache while it refreshes', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'afs-cellfs-cache-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const first = makeDb(dir);
  const cell = await first.db.lookupCell('cached.example');
  const listed = first.db.vlListFor(cell);
  first.resolver.reply('cached.example', goodResult('cached.example', '192.0.2.7'));
  const original = await listed;
  first.db.unuseCell(cell, 'lookup');
  await first.db.purge();
  t.same(readdirSync(dir), ['cached.example.vl.json'], 'one entry file, no temp files left');

  const second = makeDb(dir);
  const again = await second.db.lookupCell('cached.example');
  const list = await second.db.vlListFor(again);
  t.same(list, original, 'the cached list is served at once');
  t.equal(second.resolver.waiting('cached.example'), 1, 'while a refresh runs');
  t.match(renderVlservers(list, second.db.vlNotes(again)), /^# source SRV, status good\n# cached list from \d{4}-/);
  t.equal(second.db.stats.cacheHits, 1);

  second.resolver.fail('cached.example', 'temp-failure');
  await second.clock.advance(0);
  t.same(await second.db.vlListFor(again), original, 'DNS down: the cached list stays');
  t.match(renderVlservers(again.vlList, second.db.vlNotes(again)), /# last refresh: temp-failure, retry in 10s\n/);

  await second.clock.advance(10_000);
  second.resolver.reply('cached.example', goodResult('cached.example', '192.0.2.8'));
  await second.clock.advance(0);
  const fresh = await second.db.vlListFor(again);
  t.equal(fresh.servers[0]!.addresses[0]!.address, '192.0.2.8', 'DNS back: the fresh list replaces it');
  t.same(second.db.vlNotes(again), {}, 'no cached or failure note any more');
  second.db.unuseCell(again, 'lookup');
  await second.db.purge();
  t.match(readFileSync(path.join(dir, 'cached.example.vl.json'), 'utf8'), /192\.0\.2\.8/, 'the file holds the new list');
});

t.test('corrupt and foreign entries are ignored with a warning', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'afs-cellfs-cache-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'corrupt.example.vl.json'), '{"format": "afs-cellfs-vl-cache/1", "cell": ');
  writeFileSync(path.join(dir, 'foreign.example.vl.json'), JSON.stringify({ format: 'other/9', cell: 'foreign.example' }));
  writeFileSync(
    path.join(dir, 'wrong.example.vl.json'),
    JSON.stringify({ format: 'afs-cellfs-vl-cache/1', cell: 'other.example', savedAt: 1, list: { source: 'SRV', status: 'good', servers: [] } }),
  );
  const { db, resolver, warnings } = makeDb(dir);
  for (const name of ['corrupt.example', 'foreign.example', 'wrong.example']) {
    const cell = await db.lookupCell(name);
    t.equal(cell.vlList.servers.length, 0, `${name}: nothing served from a bad entry`);
    t.equal(resolver.waiting(name), 1, `${name}: resolved through DNS instead`);
    t.ok(warnings.some((w) => w.includes(name) && w.includes('not a valid entry')), `${name}: warned`);
    db.unuseCell(cell, 'lookup');
  }
  await db.purge();
});

t.test('an unusable cache directory: warned once, records still come and go', async (t) => {
  const parent = mkdtempSync(path.join(tmpdir(), 'afs-cellfs-cache-'));
  t.teardown(() => rmSync(parent, { recursive: true, force: true }));
  const notADir = path.join(parent, 'file');
  writeFileSync(notADir, 'not a directory');
  const { db, clock, resolver, cache, warnings } = makeDb(notADir);
  for (let round = 0; round < 3; round++) {
    const cell = await db.lookupCell('nocache.example');
    const list = db.vlListFor(cell);
    resolver.reply('nocache.example', goodResult('nocache.example'));
    await list;
    db.unuseCell(cell, 'lookup');
    await clock.advance(GC);
    t.equal(cell.state, 'REMOVED', `round ${round}: collected`);
    t.same(cache.heldNames(), [], `round ${round}: entry given back`);
  }
  t.equal(warnings.filter((w) => w.includes('running without a cache')).length, 1, 'one warning');
  t.same(warnings.filter((w) => w.includes('BUG')), []);
  await db.purge();
});

t.test('a cached cell DNS no longer knows: served with its failure noted, no lookup storm', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'afs-cellfs-cache-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const first = makeDb(dir);
  const c1 = await first.db.lookupCell('gone.example');
  const l1 = first.db.vlListFor(c1);
  first.resolver.reply('gone.example', goodResult('gone.example', '192.0.2.5'));
  await l1;
  first.db.unuseCell(c1, 'lookup');
  await first.db.purge();

  const { db, clock, resolver } = makeDb(dir);
  let cell = await db.lookupCell('gone.example');
  await db.vlListFor(cell); // cached, refresh started
  resolver.fail('gone.example', 'not-found');
  await clock.advance(0);
  t.match(renderVlservers(cell.vlList, db.vlNotes(cell)), /# last refresh: not-found, retry in 61s\n/);
  db.unuseCell(cell, 'lookup');
  // Five grace periods (50 s) stay inside the 61 s not-found retry time.
  for (let round = 0; round < 5; round++) {
    await clock.advance(GC); // the record goes...
    cell = await db.lookupCell('gone.example'); // ...and a new one comes
    const text = renderVlservers(await db.vlListFor(cell), db.vlNotes(cell));
    t.match(text, /# cached list from .*\n# last refresh: not-found, retry in \d+s\n/, `round ${round}: note kept`);
    db.unuseCell(cell, 'lookup');
  }
  t.equal(resolver.started.length, 1, 'no new lookup before the retry time');
  await db.purge();
});

t.test('something other than a file in the cache never blocks activation', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'afs-cellfs-cache-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  execFileSync('mkfifo', [path.join(dir, 'fifo.example.vl.json')]);
  const { db, resolver, warnings } = makeDb(dir);
  const cell = await db.lookupCell('fifo.example'); // would hang on a blocking open
  t.equal(cell.state, 'ACTIVE');
  t.equal(resolver.waiting('fifo.example'), 1, 'resolved through DNS instead');
  t.ok(warnings.some((w) => w.includes('not a regular file')));
  db.unuseCell(cell, 'lookup');
  await db.purge();
});
