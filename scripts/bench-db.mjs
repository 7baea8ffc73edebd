// Benchmarks of the cell database core (no FUSE): how the cost of a warm
// read and of a GC cycle grows with the number of cells.  A warm read must
// cost no DNS query and no scan, so its rate should stay flat from 100 to
// 100,000 cells; a use/unuse cycle reschedules one heap entry, O(log n).
// Usage: npm run build && node scripts/bench-db.mjs
import { CellDatabase } from '../dist/cell/database.js';
import { buildVlServerList } from '../dist/vl/vl-list.js';

const SIZES = [100, 10_000, 100_000];
const OPS = 200_000;

/** A resolver that counts calls and answers at once with one server. */
function countingResolver() {
  const r = {
    calls: 0,
    async lookup(name) {
      r.calls++;
      const list = buildVlServerList('SRV', 'good', [
        { name: `vl.${name}`, addresses: [{ family: 4, address: '192.0.2.1', port: 7003 }] },
      ]);
      return { list, ttl: 3600 };
    },
    async close() {},
  };
  return r;
}

async function measure(size) {
  const resolver = countingResolver();
  const db = new CellDatabase({ resolver, gcDelayMs: 3_600_000 });
  const names = Array.from({ length: size }, (_, i) => `cell${i}.bench.example`);
  // Populate: every cell looked up and resolved once, then idle (GC pending).
  for (const name of names) {
    const cell = await db.lookupCell(name);
    await db.vlListFor(cell);
    db.unuseCell(cell, 'lookup');
  }
  const queriesBefore = resolver.calls;

  // Warm reads: lookup + list + unuse of random existing cells.
  let t0 = performance.now();
  for (let i = 0; i < OPS; i++) {
    const cell = await db.lookupCell(names[(i * 7919) % size]);
    await db.vlListFor(cell);
    db.unuseCell(cell, 'lookup');
  }
  const warmPerSec = OPS / ((performance.now() - t0) / 1000);

  // Scheduler churn alone: use/unuse moves one heap entry each time.
  const cells = names.slice(0, Math.min(size, 1000)).map((n) => db.findCell(n));
  t0 = performance.now();
  for (let i = 0; i < OPS; i++) {
    const cell = cells[i % cells.length];
    db.useCell(cell, 'open');
    db.unuseCell(cell, 'release');
  }
  const churnPerSec = OPS / ((performance.now() - t0) / 1000);
  const queriesDuring = resolver.calls - queriesBefore;
  await db.purge();
  return { size, warmPerSec, churnPerSec, queriesDuring };
}

const results = [];
for (const size of SIZES) results.push(await measure(size));
const base = results[0];
console.log('cells     warm reads/s  (ratio to 100)   use+unuse/s  (ratio)   DNS queries during warm reads');
for (const r of results) {
  console.log(
    `${String(r.size).padStart(7)}  ${Math.round(r.warmPerSec).toString().padStart(12)}  ${(r.warmPerSec / base.warmPerSec).toFixed(2).padStart(8)}x` +
      `  ${Math.round(r.churnPerSec).toString().padStart(14)}  ${(r.churnPerSec / base.churnPerSec).toFixed(2).padStart(6)}x   ${r.queriesDuring}`,
  );
}
