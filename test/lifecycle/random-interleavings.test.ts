// Seeded random interleavings of lookups, opens, releases, root cell
// writes, clock advances and DNS answers over a few names.  After every
// step the seed's invariants must hold:
//   1. at most one live record per name, and it is the registry's;
//   2. every record's usage equals the balance of its traced uses;
//   3. the listing is exactly the ACTIVE records;
//   4. one namespace timer at most, armed iff something is due, never late;
//      every idle cell has its GC scheduled, every in-use DNS cell its expiry.
// At the end every use is given back and a purge leaves nothing.
// Reproduce a failure with SEED=<seed> RUNS=1 (printed in the failure).
import t from 'tap';
import type { Cell } from '../../src/cell/cell.js';
import type { CellDatabase } from '../../src/cell/database.js';
import { AfsError } from '../../src/errors.js';
import { Trace, type TraceEvent } from '../../src/trace.js';
import { emptyVlServerList } from '../../src/vl/vl-list.js';
import { makeDb } from '../fixtures/db.js';
import { settle, type FakeClock } from '../fixtures/fake-clock.js';
import { goodResult, type FakeResolver } from '../fixtures/fake-resolver.js';

const RUNS = Number(process.env.RUNS ?? 1500);
const STEPS = Number(process.env.STEPS ?? 60);
const FIRST_SEED = Number(process.env.SEED ?? 1);
const NAMES = ['alpha.example', 'beta.example', 'static.example', 'gamma.example'];
const ADVANCES = [0, 1, 999, 9_999, 10_000, 61_000, 600_000];
/** Errors a reader may legitimately get: DNS said no, or no usable list. */
const EXPECTED = new Set(['ENOENT', 'EDESTADDRREQ']);

/** mulberry32: small, fast, and the same sequence everywhere. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let r = Math.imul(a ^ (a >>> 15), 1 | a);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

class Run {
  readonly random: () => number;
  readonly db: CellDatabase;
  readonly clock: FakeClock;
  readonly resolver: FakeResolver;
  /** Uses this harness holds (one entry per use). */
  readonly held: Cell[] = [];
  /** Every record ever seen, by debug id. */
  readonly seen = new Map<number, Cell>();
  /** Usage of each record as the trace tells it. */
  readonly balance = new Map<number, number>();
  readonly inflight = new Set<Promise<unknown>>();
  unexpected: string | null = null;

  constructor(seed: number) {
    this.random = prng(seed);
    const trace = new Trace(64, (e) => this.#tally(e));
    const env = makeDb({ trace });
    this.db = env.db;
    this.clock = env.clock;
    this.resolver = env.resolver;
  }

  #tally(e: TraceEvent): void {
    const now = this.balance.get(e.cellId) ?? 0;
    if (e.what === 'alloc') this.balance.set(e.cellId, 2); // the database's own + the creator's
    else if (e.what === 'use') this.balance.set(e.cellId, now + 1);
    else if (e.what === 'unuse') this.balance.set(e.cellId, now - 1);
    else if (e.what === 'free') this.balance.set(e.cellId, 0);
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  /** A name in random letter case (one cell, whatever the case). */
  name(): string {
    const n = this.pick(NAMES);
    return this.random() < 0.3 ? n.toUpperCase() : n;
  }

  track(p: Promise<unknown>): void {
    const wrapped = p.catch((err: unknown) => {
      if (!(err instanceof AfsError) || !EXPECTED.has(err.code)) this.unexpected ??= String(err);
    });
    this.inflight.add(wrapped);
    void wrapped.finally(() => this.inflight.delete(wrapped));
  }

  keep(cell: Cell): Cell {
    this.seen.set(cell.debugId, cell);
    this.held.push(cell);
    return cell;
  }

  async step(): Promise<string> {
    const r = this.random();
    if (r < 0.2) {
      this.track(this.db.lookupCell(this.name()).then((c) => this.keep(c)));
      return 'lookup';
    }
    if (r < 0.35) {
      // An open: look up, wait for the list, keep the use (release later).
      this.track(
        this.db.lookupCell(this.name(), 'open').then(async (c) => {
          this.seen.set(c.debugId, c);
          try {
            await this.db.vlListFor(c);
          } catch (err) {
            this.db.unuseCell(c, 'release');
            throw err;
          }
          this.keep(c);
        }),
      );
      return 'open';
    }
    if (r < 0.55) {
      if (this.held.length === 0) return 'release (none)';
      const i = Math.floor(this.random() * this.held.length);
      const [cell] = this.held.splice(i, 1);
      this.db.unuseCell(cell!, 'release');
      return 'release';
    }
    if (r < 0.62) {
      const spec = this.random() < 0.5 ? this.name() : `${this.name()}:192.0.2.${1 + Math.floor(this.random() * 9)}`;
      this.track(this.db.setRootCell(spec));
      return `rootcell ${spec}`;
    }
    if (r < 0.8) {
      const ms = this.pick(ADVANCES);
      await this.clock.advance(ms);
      return `advance ${ms}`;
    }
    const pending = this.resolver.pending;
    if (pending.length === 0) return 'answer (none)';
    const name = this.pick(pending).name;
    const a = this.random();
    if (a < 0.5) this.resolver.reply(name, goodResult(name, `198.51.100.${1 + Math.floor(this.random() * 9)}`, this.pick([0, 30, 900])));
    else if (a < 0.7) this.resolver.fail(name, 'not-found');
    else if (a < 0.9) this.resolver.fail(name, 'temp-failure');
    else this.resolver.reply(name, { list: emptyVlServerList('SRV', 'bad') });
    return `answer ${name}`;
  }

  /** The invariants; returns a description of the first one broken. */
  check(): string | null {
    const { db } = this;
    if (this.unexpected) return `unexpected error: ${this.unexpected}`;
    for (const cell of db.registry.all()) this.seen.set(cell.debugId, cell);
    // 1. One live record per name, and it is the registry's.
    for (const cell of this.seen.values()) {
      if (cell.state === 'REMOVED') continue;
      if (db.registry.get(cell.name) !== cell) return `record ${cell.debugId} of ${cell.name} is live but not registered`;
    }
    // 2. Usage equals the trace's balance.
    for (const cell of db.registry.all()) {
      const traced = this.balance.get(cell.debugId);
      if (cell.usage !== traced) return `${cell.name}#${cell.debugId}: usage ${cell.usage}, trace says ${traced}`;
    }
    // 3. The listing is the ACTIVE records.
    const active = [...db.registry.all()].filter((c) => c.state === 'ACTIVE').map((c) => c.name).sort();
    const listed = [...db.activeCellNames()];
    if (JSON.stringify(active) !== JSON.stringify(listed)) return `listing ${listed} but ACTIVE ${active}`;
    // 4. One timer, armed iff something is due, never later than the soonest event.
    const sched = db.scheduler;
    if (this.clock.pendingTimers > 1) return `${this.clock.pendingTimers} timers armed`;
    if ((sched.size > 0) !== (sched.armedAt !== null)) return `heap ${sched.size} but timer ${sched.armedAt}`;
    if (sched.armedAt !== null && sched.armedAt > sched.nextDue!) return `timer at ${sched.armedAt} after due ${sched.nextDue}`;
    if (sched.armedAt !== this.clock.nextTimerAt) return `scheduler says ${sched.armedAt}, clock has ${this.clock.nextTimerAt}`;
    for (const cell of db.registry.all()) {
      if (cell.state !== 'ACTIVE' || cell.managing) continue;
      const due = sched.dueOf(cell);
      const firstPending = cell.lookup !== null && !cell.resolvedOnce;
      if (cell.usage === 1 && !firstPending && due === undefined) return `idle ${cell.name} has no GC scheduled`;
      if (cell.usage > 1 && !cell.isStatic && !cell.lookup && cell.dnsExpiry !== Infinity && due !== cell.dnsExpiry) {
        return `in-use ${cell.name} due ${due}, expiry ${cell.dnsExpiry}`;
      }
    }
    return null;
  }

  /** Answers all DNS, gives every use back, lets everything finish, purges. */
  async finish(): Promise<string | null> {
    for (let i = 0; i < 50 && (this.inflight.size > 0 || this.resolver.pending.length > 0); i++) {
      for (const p of [...this.resolver.pending]) this.resolver.reply(p.name, goodResult(p.name));
      await this.clock.advance(0);
      await settle();
    }
    if (this.inflight.size > 0) return `${this.inflight.size} operations never finished`;
    for (const cell of this.held.splice(0)) this.db.unuseCell(cell, 'release');
    const problem = this.check();
    if (problem) return problem;
    await this.db.purge();
    if (this.db.registry.size !== 0) return `${this.db.registry.size} records left after purge`;
    if (this.clock.pendingTimers !== 0) return 'a timer left after purge';
    for (const [id, usage] of this.balance) if (usage !== 0) return `record ${id} ends with traced usage ${usage}`;
    return null;
  }
}

t.test(`${RUNS} seeded interleavings of ${STEPS} steps`, async (t) => {
  let steps = 0;
  let records = 0;
  for (let seed = FIRST_SEED; seed < FIRST_SEED + RUNS; seed++) {
    const run = new Run(seed);
    const history: string[] = [];
    let problem: string | null = null;
    for (let i = 0; i < STEPS && !problem; i++) {
      history.push(await run.step());
      await settle(3);
      problem = run.check();
      steps++;
    }
    problem ??= await run.finish();
    records += run.balance.size;
    if (problem) {
      t.fail(`seed ${seed}: ${problem}\n  last steps: ${history.slice(-8).join(' | ')}\n  reproduce: SEED=${seed} RUNS=1`);
      return;
    }
  }
  t.pass(`${RUNS} interleavings, ${steps} steps, ${records} records: every invariant held after every step`);
  t.comment(`interleavings=${RUNS} steps=${steps} records=${records}`);
});
