/**
 * Keys of each unit in compressed rows: unit `u` has keys `ids[start[u]] … ids[start[u+1]-1]`, each key an
 * integer in `[0, keyCount)`.
 */
export interface KeyTable {
  start: Int32Array;
  ids: Int32Array;
  keyCount: number;
}

/**
 * Greedy batching with a "no key twice in a batch" rule, in place: reads units in `order`, writes each batch
 * contiguously back into `order` (the write position never passes the read position) and yields the end of each
 * batch. A unit that clashes with the current batch waits in a FIFO queue and is tried first for the next batch.
 * Every unit lands in exactly one batch. Batches fall short of `cap` only when the queue holds nothing that fits.
 */
export function* distinctGroups(
  order: Int32Array,
  keys: KeyTable,
  cap: number,
): Generator<number, void, undefined> {
  const stamp = new Int32Array(keys.keyCount).fill(-1);
  const waiting: number[] = [];
  let read = 0;
  let write = 0;
  let batch = 0;
  const fits = (u: number): boolean => {
    for (let k = keys.start[u]!; k < keys.start[u + 1]!; k++) if (stamp[keys.ids[k]!] === batch) return false;
    return true;
  };
  const take = (u: number): void => {
    for (let k = keys.start[u]!; k < keys.start[u + 1]!; k++) stamp[keys.ids[k]!] = batch;
    order[write++] = u;
  };
  while (read < order.length || waiting.length > 0) {
    const begin = write;
    // Waiting units first (oldest first), compacting the queue in place.
    let keep = 0;
    for (let q = 0; q < waiting.length; q++) {
      const u = waiting[q]!;
      if (write - begin < cap && fits(u)) take(u);
      else waiting[keep++] = u;
    }
    waiting.length = keep;
    while (write - begin < cap && read < order.length) {
      const u = order[read++]!;
      if (fits(u)) take(u);
      else waiting.push(u);
    }
    batch++;
    yield write;
  }
}

/** Builds a {@link KeyTable} from per-unit key lists. */
export function keyTableFrom(
  count: number,
  keysOf: (unit: number) => Iterable<number>,
  keyCount: number,
): KeyTable {
  const start = new Int32Array(count + 1);
  const ids: number[] = [];
  for (let u = 0; u < count; u++) {
    for (const k of keysOf(u)) ids.push(k);
    start[u + 1] = ids.length;
  }
  return { start, ids: Int32Array.from(ids), keyCount };
}
