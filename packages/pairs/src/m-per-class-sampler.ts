import { permutation, SiameseError } from '@siamese/core';
import { distinctGroups } from './distinct-groups.js';
import { type BatchOptions, checkBatchOptions, checkEpoch, type Sampler } from './sampler.js';
import { epochRng } from './seed.js';

/** Options of {@link MPerClassSampler}. */
export interface MPerClassOptions extends BatchOptions {
  /** Class of each example (any integers). */
  labels: ArrayLike<number>;
  /** Examples per class in a batch; `batchSize` must be a multiple of `m`. */
  m: number;
}

/**
 * Batches of `batchSize / m` distinct classes with `m` examples each, for batch-hard/semi-hard triplet
 * mining (every anchor in a batch has positives). Per epoch each class is shuffled and cut into groups of `m`;
 * a short last group is filled with other examples of the class (a class smaller than `m` repeats examples),
 * so every example is in at least one batch. Groups are shuffled and packed with no class twice in a batch.
 */
export class MPerClassSampler implements Sampler {
  readonly size: number;
  private readonly o: MPerClassOptions;
  private readonly classStart: Int32Array;
  private readonly members: Int32Array;

  constructor(options: MPerClassOptions) {
    const bs = checkBatchOptions(options, 'MPerClassSampler');
    const m = options.m;
    if (!Number.isInteger(m) || m < 1 || bs % m !== 0) {
      throw new SiameseError(
        'E_INVALID_ARGUMENT',
        `MPerClassSampler: m must be a positive integer dividing batchSize ${bs}, found ${m}`,
      );
    }
    const labels = options.labels;
    const classIds = new Map<number, number>();
    const classOf = new Int32Array(labels.length);
    for (let i = 0; i < labels.length; i++) {
      const l = labels[i]!;
      if (!Number.isInteger(l))
        throw new SiameseError(
          'E_INVALID_ARGUMENT',
          `MPerClassSampler: labels[${i}] must be an integer, found ${l}`,
        );
      let c = classIds.get(l);
      if (c === undefined) {
        c = classIds.size;
        classIds.set(l, c);
      }
      classOf[i] = c;
    }
    const k = classIds.size;
    if (labels.length > 0 && k < bs / m) {
      throw new SiameseError(
        'E_INVALID_ARGUMENT',
        `MPerClassSampler: a batch needs ${bs / m} classes, the labels have ${k}`,
      );
    }
    const start = new Int32Array(k + 1);
    for (const c of classOf) start[c + 1]!++;
    for (let c = 0; c < k; c++) start[c + 1]! += start[c]!;
    const fill = start.slice(0, k);
    const members = new Int32Array(labels.length);
    classOf.forEach((c, i) => {
      members[fill[c]!++] = i;
    });
    this.size = labels.length;
    this.o = { ...options };
    this.classStart = start;
    this.members = members;
  }

  *epoch(epoch: number): IterableIterator<Int32Array> {
    checkEpoch(epoch);
    const rng = epochRng(this.o.seed, epoch);
    const { m, batchSize } = this.o;
    const k = this.classStart.length - 1;
    // Lay out each class as whole groups of m: shuffled members, then padding from its own start.
    let groups = 0;
    for (let c = 0; c < k; c++) groups += Math.ceil((this.classStart[c + 1]! - this.classStart[c]!) / m);
    const slots = new Int32Array(groups * m);
    const groupClass = new Int32Array(groups);
    let g = 0;
    for (let c = 0; c < k; c++) {
      const s = this.classStart[c]!;
      const n = this.classStart[c + 1]! - s;
      const seg = slots.subarray(g * m, (g + Math.ceil(n / m)) * m);
      seg.set(this.members.subarray(s, s + n));
      rng.shuffle(seg.subarray(0, n));
      for (let j = n; j < seg.length; j++) seg[j] = seg[(j - n) % n]!;
      for (let j = 0; j < seg.length / m; j++) groupClass[g++] = c;
    }
    const order = permutation(groups, rng);
    const keys = {
      start: Int32Array.from({ length: groups + 1 }, (_, i) => i),
      ids: groupClass,
      keyCount: k,
    };
    const perBatch = batchSize / m;
    const out = new Int32Array(slots.length);
    let begin = 0;
    for (const end of distinctGroups(order, keys, perBatch)) {
      if (this.o.dropLast && end - begin < perBatch) {
        begin = end;
        continue;
      }
      for (let q = begin; q < end; q++) out.set(slots.subarray(order[q]! * m, order[q]! * m + m), q * m);
      yield out.subarray(begin * m, end * m);
      begin = end;
    }
  }
}
