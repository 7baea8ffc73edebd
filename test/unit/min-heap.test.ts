// DueHeap against a brute-force model: random inserts, moves and removals,
// always popping in due order.
import t from 'tap';
import { DueHeap } from '../../src/util/min-heap.js';

t.test('matches a sorted model under random operations', async (t) => {
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const heap = new DueHeap<number>();
  const model = new Map<number, number>();
  let mismatches = 0;
  for (let step = 0; step < 20_000; step++) {
    const item = Math.floor(random() * 200);
    const op = random();
    if (op < 0.5) {
      const due = Math.floor(random() * 1000);
      heap.set(item, due);
      model.set(item, due);
    } else if (op < 0.7) {
      heap.delete(item);
      model.delete(item);
    } else {
      const now = Math.floor(random() * 1000);
      const popped = heap.popDue(now);
      const min = [...model.values()].reduce((m, d) => Math.min(m, d), Infinity);
      if (min <= now) {
        if (popped === undefined || model.get(popped) !== min) mismatches++;
        else model.delete(popped);
      } else if (popped !== undefined) mismatches++;
    }
    if (heap.size !== model.size || heap.dueOf(item) !== model.get(item)) mismatches++;
    const top = heap.peek();
    const min = [...model.values()].reduce((m, d) => Math.min(m, d), Infinity);
    if ((top?.due ?? Infinity) !== min) mismatches++;
  }
  t.equal(mismatches, 0, '20,000 random operations, no disagreement with the model');
});

t.test('pops everything due, earliest first', async (t) => {
  const heap = new DueHeap<string>();
  heap.set('c', 30);
  heap.set('a', 10);
  heap.set('b', 20);
  heap.set('a', 25); // moved later
  const order: string[] = [];
  for (let x = heap.popDue(100); x !== undefined; x = heap.popDue(100)) order.push(x);
  t.same(order, ['b', 'a', 'c']);
  t.equal(heap.size, 0);
  t.equal(heap.popDue(100), undefined);
});
