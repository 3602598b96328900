import { permutation, type Rng, SiameseError } from '@siamese/core';
import type { LabelledPair, LabelledText, Triplet } from './records.js';
import { epochRng } from './seed.js';

/** Seed and epoch of a generator: epoch `e` of seed `s` always gives the same output. */
export interface GeneratorOptions {
  seed: number;
  /** Default 0. The stream is derived from (seed, epoch) with `epochSeed`. */
  epoch?: number;
}

/** Options of {@link pairsFromLabels}. */
export interface PairsFromLabelsOptions extends GeneratorOptions {
  /** Share of positive (same-class) pairs, in [0, 1]. Default 0.5. */
  positiveFraction?: number;
}

/** Items grouped by class: `order` lists item indices class by class, class `c` at `[start[c], start[c+1])`. */
class ClassIndex {
  readonly order: Int32Array;
  readonly start: Int32Array;
  readonly classOf: Int32Array;

  constructor(items: readonly LabelledText[]) {
    const ids = new Map<number | string, number>();
    const classOf = new Int32Array(items.length);
    items.forEach((it, i) => {
      if (typeof it?.text !== 'string') throw new TypeError(`items[${i}].text: expected a string`);
      const l = it.label;
      if (typeof l !== 'number' && typeof l !== 'string')
        throw new TypeError(`items[${i}].label: expected a number or string`);
      let c = ids.get(l);
      if (c === undefined) {
        c = ids.size;
        ids.set(l, c);
      }
      classOf[i] = c;
    });
    const k = ids.size;
    const start = new Int32Array(k + 1);
    for (const c of classOf) start[c + 1]!++;
    for (let c = 0; c < k; c++) start[c + 1]! += start[c]!;
    const fill = start.slice(0, k);
    const order = new Int32Array(items.length);
    classOf.forEach((c, i) => {
      order[fill[c]!++] = i;
    });
    this.order = order;
    this.start = start;
    this.classOf = classOf;
  }

  get classes(): number {
    return this.start.length - 1;
  }

  sizeOf(c: number): number {
    return this.start[c + 1]! - this.start[c]!;
  }

  /** A random member of `i`'s class other than `i` (the class must have at least two members). */
  samePartner(i: number, rng: Rng): number {
    const c = this.classOf[i]!;
    const s = this.start[c]!;
    let j = this.order[s + rng.int(this.sizeOf(c) - 1)]!;
    if (j === i) j = this.order[this.start[c + 1]! - 1]!; // skip self: use the slot the draw excluded
    return j;
  }

  /** A random item outside `i`'s class (there must be at least two classes). */
  otherPartner(i: number, rng: Rng): number {
    const c = this.classOf[i]!;
    const r = rng.int(this.order.length - this.sizeOf(c));
    return this.order[r < this.start[c]! ? r : r + this.sizeOf(c)]!;
  }
}

/**
 * Balanced positive/negative pairs from class-labelled texts. Every item is the first text of exactly one pair
 * per epoch (so every text is used); `positiveFraction` of the pairs pair it with another item of its class,
 * the rest with an item of another class. An item alone in its class can only form a negative pair, and with a
 * single class every pair is positive.
 */
export function pairsFromLabels(
  items: readonly LabelledText[],
  options: PairsFromLabelsOptions,
): (LabelledPair & { label: 0 | 1; indices: readonly [number, number] })[] {
  const idx = new ClassIndex(items);
  const n = items.length;
  if (n < 2)
    throw new SiameseError('E_INVALID_ARGUMENT', `pairsFromLabels: expected at least 2 items, found ${n}`);
  const frac = options.positiveFraction ?? 0.5;
  if (!(frac >= 0 && frac <= 1)) {
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      `pairsFromLabels: positiveFraction must be in [0, 1], found ${frac}`,
    );
  }
  const rng = epochRng(options.seed, options.epoch ?? 0);
  const anchors = permutation(n, rng);
  const positiveSlot = permutation(n, rng); // slot k is positive when positiveSlot[k] < nPos
  const nPos = Math.round(n * frac);
  const out: (LabelledPair & { label: 0 | 1; indices: readonly [number, number] })[] = [];
  for (let k = 0; k < n; k++) {
    const a = anchors[k]!;
    const canPos = idx.sizeOf(idx.classOf[a]!) >= 2;
    const canNeg = idx.classes >= 2;
    const pos = canPos && (positiveSlot[k]! < nPos || !canNeg);
    const b = pos ? idx.samePartner(a, rng) : idx.otherPartner(a, rng);
    out.push({ text1: items[a]!.text, text2: items[b]!.text, label: pos ? 1 : 0, indices: [a, b] });
  }
  return out;
}

/**
 * Triplets (anchor, positive from the same class, random negative from another class); `indices` are
 * `[anchor, positive, negative]` positions in `items`. Every item of a class
 * with two or more members is the anchor of exactly one triplet per epoch; items alone in their class are used
 * as negatives (replacing random negatives), so every text appears at least once per epoch.
 */
export function tripletsFromLabels(
  items: readonly LabelledText[],
  options: GeneratorOptions,
): (Triplet & { indices: readonly [number, number, number] })[] {
  const idx = new ClassIndex(items);
  const n = items.length;
  if (idx.classes < 2)
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      `tripletsFromLabels: expected at least 2 classes, found ${idx.classes}`,
    );
  const rng = epochRng(options.seed, options.epoch ?? 0);
  const anchors = permutation(n, rng);
  const trip: number[][] = [];
  const singles: number[] = [];
  for (const a of anchors) {
    if (idx.sizeOf(idx.classOf[a]!) < 2) {
      singles.push(a);
      continue;
    }
    trip.push([a, idx.samePartner(a, rng), idx.otherPartner(a, rng)]);
  }
  if (trip.length === 0)
    throw new SiameseError('E_INVALID_ARGUMENT', 'tripletsFromLabels: no class has two or more items');
  // Give each singleton a triplet whose negative is a multi-member item (those are anchors anyway).
  let t = 0;
  for (const s of singles) {
    while (t < trip.length && idx.sizeOf(idx.classOf[trip[t]![2]!]!) < 2) t++;
    if (t < trip.length) {
      trip[t]![2] = s;
      t++;
    } else {
      const a = trip[rng.int(trip.length)]![0]!;
      trip.push([a, idx.samePartner(a, rng), s]);
    }
  }
  return trip.map(([a, p, q]) => ({
    anchor: items[a!]!.text,
    positive: items[p!]!.text,
    negative: items[q!]!.text,
    indices: [a!, p!, q!],
  }));
}
