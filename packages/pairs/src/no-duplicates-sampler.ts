import { permutation, SiameseError } from '@siamese/core';
import { distinctGroups, type KeyTable, keyTableFrom } from './distinct-groups.js';
import type { TextNormalizer } from './normalize-text.js';
import { type BatchOptions, checkBatchOptions, checkEpoch, type Sampler } from './sampler.js';
import { epochRng } from './seed.js';
import { TextIds } from './text-ids.js';

/** Options of {@link NoDuplicatesSampler}. */
export interface NoDuplicatesOptions extends BatchOptions {
  /** Number of examples. */
  size: number;
  /** The texts of example `i` (e.g. `[text1, text2]`); no text may occur twice in one batch. */
  texts: (index: number) => Iterable<string>;
  /** Text identity; default exact text. */
  normalize?: TextNormalizer;
}

/**
 * Batches in which no text occurs twice, for losses that use the other examples of a batch as negatives
 * (multiple-negatives ranking, InfoNCE): a repeated text would be a false negative. Seeded shuffle, then
 * greedy filling; a clashing example waits for the next batch. Every example is in exactly one batch per epoch
 * (with `dropLast`, short batches are dropped). Texts are interned once, at construction.
 */
export class NoDuplicatesSampler implements Sampler {
  readonly size: number;
  private readonly keys: KeyTable;
  private readonly o: NoDuplicatesOptions;

  constructor(options: NoDuplicatesOptions) {
    checkBatchOptions(options, 'NoDuplicatesSampler');
    if (!Number.isInteger(options.size) || options.size < 0) {
      throw new SiameseError(
        'E_INVALID_ARGUMENT',
        `NoDuplicatesSampler: size must be a non-negative integer, found ${options.size}`,
      );
    }
    if (typeof options.texts !== 'function')
      throw new TypeError('NoDuplicatesSampler: texts must be a function');
    this.size = options.size;
    this.o = { ...options };
    const ids = new TextIds(options.normalize ?? ((t) => t));
    const perUnit: number[][] = [];
    for (let i = 0; i < options.size; i++) perUnit.push(Array.from(options.texts(i), (t) => ids.id(t)));
    this.keys = keyTableFrom(options.size, (u) => perUnit[u]!, ids.size);
  }

  /** A sampler over pairs (`text1`, `text2`) or triplets (`anchor`, `positive`, `negative`). */
  static fromPairs(
    pairs: ReadonlyArray<
      { text1: string; text2: string } | { anchor: string; positive: string; negative: string }
    >,
    options: BatchOptions & { normalize?: TextNormalizer },
  ): NoDuplicatesSampler {
    return new NoDuplicatesSampler({
      ...options,
      size: pairs.length,
      texts: (i) => {
        const p = pairs[i]!;
        return 'text1' in p ? [p.text1, p.text2] : [p.anchor, p.positive, p.negative];
      },
    });
  }

  *epoch(epoch: number): IterableIterator<Int32Array> {
    checkEpoch(epoch);
    const order = permutation(this.size, epochRng(this.o.seed, epoch));
    let begin = 0;
    for (const end of distinctGroups(order, this.keys, this.o.batchSize)) {
      if (!(this.o.dropLast && end - begin < this.o.batchSize)) yield order.subarray(begin, end);
      begin = end;
    }
  }
}
