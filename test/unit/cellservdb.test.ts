import t from 'tap';
import { GRAND_CENTRAL_TEXT } from '../fixtures/sample-cells.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  StaticCellTable,
  bundledCellServDBPath,
  loadCellServDBFiles,
  parseCellServDB,
} from '../../src/config/cellservdb.js';
import { renderVlservers } from '../../src/vl/vl-list.js';

/** Collects warnings for one call. */
function collector(): { warn: (m: string) => void; list: string[] } {
  const list: string[] = [];
  return { warn: (m) => list.push(m), list };
}

t.test('bundled CellServDB: path resolves to the package data file', async (t) => {
  const path = bundledCellServDBPath();
  t.ok(path.endsWith(join('data', 'CellServDB')), path);
  t.ok(existsSync(path), 'file exists');
  t.match(readFileSync(path, 'latin1'), /^>grand\.central\.org\s+#GCO Public CellServDB 15 Aug 2025\n/);
});

t.test('bundled CellServDB parses completely, without warnings', async (t) => {
  const w = collector();
  const path = bundledCellServDBPath();
  const cells = parseCellServDB(readFileSync(path), path, w.warn);
  t.same(w.list, [], 'no warnings');
  t.equal(cells.length, 187);

  const empty = cells.filter((c) => c.list.servers.length === 0).map((c) => c.name);
  t.same(empty, ['ams.cern.ch', 'northstar.dartmouth.edu', 'pallissard.net', 'motherfsck.tech']);
  for (const c of cells.filter((c) => c.list.servers.length === 0)) {
    t.equal(c.list.source, 'unav', `${c.name}: left to DNS`);
    t.equal(c.list.status, 'no-lookup');
  }

  const gco = cells[0];
  t.equal(gco?.name, 'grand.central.org');
  t.equal(gco?.description, 'GCO Public CellServDB 15 Aug 2025');
  t.equal(gco?.origin, `${path}:1`);
  t.equal(gco?.list.source, 'cfg');
  t.equal(gco?.list.status, 'good');
  t.same(
    gco?.list.servers.map((s) => [s.name, s.addresses.map((a) => a.address)]),
    [
      ['grand-old-opry.central.org', ['128.2.13.219']],
      ['grand.mit.edu', ['18.9.48.14']],
    ],
  );
  t.equal(
    renderVlservers(gco!.list),
    GRAND_CENTRAL_TEXT,
  );

  // Server-line counts per cell (research/dns-anchors.md §4).
  const histogram = new Map<number, number>();
  for (const c of cells) histogram.set(c.list.servers.length, (histogram.get(c.list.servers.length) ?? 0) + 1);
  t.same(Object.fromEntries([...histogram].sort((a, b) => a[0] - b[0])), { 0: 4, 1: 58, 2: 29, 3: 94, 4: 1, 5: 1 });

  // The Latin-1 byte on line 173 is decoded, not rejected.
  const wup = cells.find((c) => c.name === 'physik.uni-wuppertal.de');
  t.equal(wup?.description, 'Physics department of Bergische Universit\u00e4t Wuppertal');
  t.equal(wup?.list.servers.length, 2);
});

t.test('loadCellServDBFiles on the bundled file', async (t) => {
  const w = collector();
  const table = loadCellServDBFiles([bundledCellServDBPath()], w.warn);
  t.same(w.list, []);
  t.equal(table.size, 187);
  t.equal(table.all()[0]?.name, 'grand.central.org', 'file order');
  t.equal(table.get('GRAND.Central.org')?.name, 'grand.central.org', 'case-insensitive get');
  t.equal(table.has('grand.central.org'), true);
  t.equal(table.get('no.such.cell'), undefined);
  const names = table.names();
  t.same(names, [...names].sort(), 'names() sorted');
  t.equal(names.length, 187);
});

t.test('syntax variants are accepted', async (t) => {
  const text = [
    '# a comment line',
    '',
    '>  Spaced.Example.ORG   #  Spaced description  ',
    '192.0.2.1#NoSpace.Example.ORG',
    '[192.0.2.2]   #clone.example.org trailing words ignored',
    '192.0.2.3',
    '\t192.0.2.4 #',
    '   ',
    '>tight.example#tight description',
    '192.0.2.5 #h1',
    '192.0.2.6 #H1',
    '>bare.example',
    '',
  ].join('\r\n');
  const w = collector();
  const cells = parseCellServDB(text, 'test.db', w.warn);
  t.same(w.list, []);
  t.same(
    cells.map((c) => [c.name, c.description, c.origin]),
    [
      ['spaced.example.org', 'Spaced description', 'test.db:3'],
      ['tight.example', 'tight description', 'test.db:9'],
      ['bare.example', '', 'test.db:12'],
    ],
  );
  t.same(
    cells[0]?.list.servers.map((s) => [s.name, s.addresses.map((a) => `${a.address}:${a.port}`)]),
    [
      ['192.0.2.3', ['192.0.2.3:7003']],
      ['192.0.2.4', ['192.0.2.4:7003']],
      ['clone.example.org', ['192.0.2.2:7003']],
      ['nospace.example.org', ['192.0.2.1:7003']],
    ],
    'missing #host -> the address is the name; clones accepted; names lower-cased',
  );
  t.same(
    cells[1]?.list.servers.map((s) => [s.name, s.addresses.map((a) => a.address)]),
    [['h1', ['192.0.2.5', '192.0.2.6']]],
    'same host twice: merged',
  );
  t.same(cells[2]?.list, { source: 'unav', status: 'no-lookup', servers: [] });
});

t.test('malformed lines: one warning each, with file:line, rest loads', async (t) => {
  const text = [
    '192.0.2.99 #orphan.example', // 1: before any cell
    '>good.example #Good',
    '192.0.2.1 #vl1.good.example',
    '010.0.0.1 #octal.good.example', // 4: not strict
    '192.0.2.256 #big.good.example', // 5: out of range
    '127.1 #short.good.example', // 6: short form
    '192.0.2.2 junk #x', // 7: junk after the address
    '[192.0.2.3 #half', // 8: unbalanced bracket
    'complete garbage', // 9
    '>', // 10: no name
    '192.0.2.4 #lost', // 11: under a skipped cell: no second warning
    '>bad/name.example', // 12
    '192.0.2.5 #lost2',
    '>..example', // 14
    '>next.example #Next',
    '192.0.2.6 #vl.next.example',
    '192.0.2.7 #caf\u00e9.example', // 17: non-ASCII host name -> address used
    '',
  ].join('\n');
  const w = collector();
  const cells = parseCellServDB(Buffer.from(text, 'latin1'), 'm.db', w.warn);
  const lineOf = (m: string): string => /^m\.db:(\d+): /.exec(m)?.[1] ?? '?';
  t.same(w.list.map(lineOf), ['1', '4', '5', '6', '7', '8', '9', '10', '12', '14', '17'], w.list.join('\n'));
  t.match(w.list[0], /server line before any cell line/);
  t.match(w.list[1], /bad server address "010\.0\.0\.1"/);
  t.match(w.list[4], /junk after the address/);
  t.match(w.list[5], /unbalanced/);
  t.match(w.list[7], /without a cell name/);
  t.match(w.list[8], /bad cell name.*may not contain '\/'.*skipping it and its server lines/);
  t.match(w.list[9], /bad cell name.*starts with '\.'/);
  t.match(w.list[10], /not printable ASCII; using the address instead/);

  t.same(cells.map((c) => c.name), ['good.example', 'next.example']);
  t.same(cells[0]?.list.servers.map((s) => s.name), ['vl1.good.example']);
  t.same(cells[1]?.list.servers.map((s) => s.name), ['192.0.2.7', 'vl.next.example']);
});

t.test('linked-cell word is ignored with a warning, cell kept', async (t) => {
  const w = collector();
  const cells = parseCellServDB('>a.example other.example #Desc\n192.0.2.1 #h\n', 'l.db', w.warn);
  t.equal(cells.length, 1);
  t.equal(cells[0]?.description, 'Desc');
  t.equal(w.list.length, 1);
  t.match(w.list[0], /^l\.db:1: linked cell "other\.example" is not supported; ignored$/);
});

t.test('duplicate cell in one file: later wins, first position kept', async (t) => {
  const w = collector();
  const cells = parseCellServDB(
    '>dup.example #First\n192.0.2.1 #one\n>other.example\n>DUP.example #Second\n192.0.2.2 #two\n',
    'd.db',
    w.warn,
  );
  t.same(cells.map((c) => [c.name, c.description, c.origin]), [
    ['dup.example', 'Second', 'd.db:4'],
    ['other.example', '', 'd.db:3'],
  ]);
  t.same(cells[0]?.list.servers.map((s) => s.name), ['two']);
  t.same(w.list, ['d.db:4: cell dup.example is defined again (first at d.db:1); the later definition wins']);
});

t.test('too many servers in one cell are capped with a warning', async (t) => {
  const lines = ['>huge.example'];
  for (let i = 0; i < 260; i++) lines.push(`10.0.${i >> 8}.${i & 255} #s${String(i).padStart(3, '0')}`);
  const w = collector();
  const cells = parseCellServDB(lines.join('\n'), 'h.db', w.warn);
  t.equal(cells[0]?.list.servers.length, 255);
  t.equal(w.list.length, 1);
  t.match(w.list[0], /^h\.db:1: cell huge\.example: 260 VL servers, keeping 255; dropped s255/);
});

t.test('two files: the later definition wins, with a warning naming both', async (t) => {
  const dir = t.testdir({
    'first.db': '>shared.example #From first\n192.0.2.1 #a.example\n>only-first.example\n192.0.2.9 #f\n',
    'second.db': '>only-second.example\n192.0.2.8 #s\n>Shared.Example #From second\n198.51.100.1 #b.example\n',
  });
  const first = join(dir, 'first.db');
  const second = join(dir, 'second.db');
  const w = collector();
  const table = loadCellServDBFiles([first, second], w.warn);
  t.equal(table.size, 3);
  const shared = table.get('shared.example');
  t.equal(shared?.description, 'From second');
  t.equal(shared?.origin, `${second}:3`);
  t.same(shared?.list.servers.map((s) => s.name), ['b.example']);
  t.same(w.list, [`${second}:3: cell shared.example replaces the definition at ${first}:1`]);
  t.same(table.all().map((c) => c.name), ['shared.example', 'only-first.example', 'only-second.example']);
  t.same(table.names(), ['only-first.example', 'only-second.example', 'shared.example']);
});

t.test('unreadable file: its errno, naming the file', async (t) => {
  const dir = t.testdir({});
  const missing = join(dir, 'nope.db');
  t.throws(() => loadCellServDBFiles([missing], () => {}), {
    name: 'AfsError',
    code: 'ENOENT',
    message: new RegExp(`cannot read CellServDB file ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
  });
  t.throws(() => loadCellServDBFiles([dir], () => {}), { code: 'EISDIR' }, 'a directory is EISDIR');
});

t.test('StaticCellTable on its own', async (t) => {
  const cells = parseCellServDB('>b.example\n>a.example\n', 'x', () => {});
  const table = new StaticCellTable(cells);
  t.same(table.names(), ['a.example', 'b.example']);
  t.same(table.all().map((c) => c.name), ['b.example', 'a.example']);
  t.equal(new StaticCellTable().size, 0);
});
