import t from 'tap';
import { AfsError } from '../../src/errors.js';
import {
  MAX_CELL_NAME,
  MAX_CELL_LABEL,
  cellNameError,
  describeName,
  isValidCellName,
  normalizeCellName,
} from '../../src/cell/names.js';

/** The type of a subtest's `t` (tap's Test with its plugins), taken from t.test's callback. */
type Tap = Parameters<Parameters<typeof t.test>[0]>[0];

/** Asserts that normalizeCellName throws an AfsError with `code`, and cellNameError agrees. */
function rejects(t: Tap, name: string, code: string, why: string): void {
  t.throws(() => normalizeCellName(name), { name: 'AfsError', code }, `${why} -> ${code}`);
  const err = cellNameError(name);
  t.ok(err instanceof AfsError, `${why}: cellNameError returns an AfsError`);
  t.equal(err?.code, code, `${why}: cellNameError code`);
  t.equal(isValidCellName(name), false, `${why}: isValidCellName false`);
}


t.test('valid names are returned lower-cased', async (t) => {
  t.equal(MAX_CELL_NAME, 253);
  t.equal(MAX_CELL_LABEL, 63);
  t.equal(normalizeCellName('grand.central.org'), 'grand.central.org');
  t.equal(normalizeCellName('Example.ORG'), 'example.org');
  t.equal(normalizeCellName('x'), 'x', 'single character');
  t.equal(normalizeCellName('localcell'), 'localcell', 'no dot');
  t.equal(normalizeCellName('a-b_c~d!e$f'), 'a-b_c~d!e$f', 'other printable ASCII is allowed');
  t.equal(cellNameError('grand.central.org'), null);
  t.equal(isValidCellName('grand.central.org'), true);
});

t.test('total length: 253 ok, 254 ENAMETOOLONG (checked first)', async (t) => {
  // 4 labels of 63 = 252 + 3 dots = 255; build exact lengths from 50-char labels.
  const label = 'a'.repeat(50);
  const n253 = [label, label, label, label, 'b'.repeat(49)].join('.'); // 4*50 + 49 + 4 dots
  t.equal(n253.length, 253);
  t.equal(normalizeCellName(n253.toUpperCase()), n253);
  const n254 = n253 + 'c';
  t.equal(n254.length, 254);
  rejects(t, n254, 'ENAMETOOLONG', '254 bytes');
  // Length wins over every other fault.
  rejects(t, '.' + 'a/'.repeat(200), 'ENAMETOOLONG', 'long and otherwise invalid');
  // Bytes, not characters: 127 two-byte characters are 254 bytes.
  rejects(t, '\u00e4'.repeat(127), 'ENAMETOOLONG', '254 UTF-8 bytes in 127 characters');
  const err = cellNameError('x'.repeat(300));
  t.match(err?.message, /300 bytes long, the limit is 253/);
  t.ok((err?.message.length ?? 0) < 150, 'message does not echo a huge name');
});

t.test('label length: 63 ok, 64 ENAMETOOLONG', async (t) => {
  const l63 = 'a'.repeat(63);
  t.equal(normalizeCellName(`${l63}.example.org`), `${l63}.example.org`);
  t.equal(normalizeCellName(l63), l63);
  rejects(t, `${'a'.repeat(64)}.example.org`, 'ENAMETOOLONG', 'first label 64');
  rejects(t, `example.${'b'.repeat(64)}`, 'ENAMETOOLONG', 'last label 64');
  t.match(cellNameError(`x.${'b'.repeat(64)}`)?.message, /label of 64 characters/);
});

t.test('dots', async (t) => {
  rejects(t, '.bad', 'EINVAL', 'leading dot');
  rejects(t, 'bad.', 'EINVAL', 'trailing dot');
  rejects(t, 'a..b', 'EINVAL', 'empty label');
  rejects(t, '.', 'EINVAL', 'only a dot');
  rejects(t, '..', 'EINVAL', 'dot-dot');
  t.match(cellNameError('.bad')?.message, /starts with '\.'/);
  t.match(cellNameError('bad.')?.message, /ends with '\.'/);
  t.match(cellNameError('a..b')?.message, /empty label/);
  // A 64-char label next to '..' is EINVAL: structure is checked before labels.
  rejects(t, `${'a'.repeat(64)}..x`, 'EINVAL', 'bad structure beats long label');
});

t.test('characters', async (t) => {
  rejects(t, '', 'EINVAL', 'empty');
  t.match(cellNameError('')?.message, /empty/);
  rejects(t, 'a/b', 'EINVAL', 'slash');
  rejects(t, 'a@b', 'EINVAL', 'at sign');
  rejects(t, '@cell', 'EINVAL', '@cell');
  rejects(t, 'a b', 'EINVAL', 'space');
  rejects(t, 'a\tb', 'EINVAL', 'tab');
  rejects(t, 'a\nb', 'EINVAL', 'newline');
  rejects(t, 'a\x7fb', 'EINVAL', 'DEL');
  rejects(t, 'caf\u00e9.example', 'EINVAL', 'Latin-1 letter');
  rejects(t, '\u4f8b.example', 'EINVAL', 'CJK');
  rejects(t, 'a\0b', 'EINVAL', 'NUL');
  t.match(cellNameError('a b')?.message, /not printable ASCII \(a space\)/);
  t.match(cellNameError('a\tb')?.message, /\(a tab\)/);
  t.match(cellNameError('caf\u00e9')?.message, /\(0xe9\)/);
  t.match(cellNameError('a/b')?.message, /may not contain '\/'/);
  t.match(cellNameError('a@b')?.message, /may not contain '@'/);
});

t.test('describeName quotes, escapes and truncates', async (t) => {
  t.equal(describeName('abc'), '"abc"');
  t.equal(describeName('a\tb"c'), '"a\\x09b\\"c"');
  t.equal(describeName('x'.repeat(100)), `"${'x'.repeat(40)}..."`);
});
