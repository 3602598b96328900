import type { VectorProblem } from '../errors.js';

/**
 * Word vectors read from a file: `words[i]` has the vector `data[i*dim, (i+1)*dim)`, in file order
 * (GloVe / word2vec / fastText files are sorted by frequency).
 */
export class WordVectors {
  /** Words in file order. */
  readonly words: string[];
  /** Vector length. */
  readonly dim: number;
  /** All vectors, row-major `words.length × dim`. */
  readonly data: Float32Array;
  /** Word → row. */
  readonly index: Map<string, number>;
  /** `count dim` from the header line (word2vec / fastText `.vec`), or `null` (GloVe). */
  readonly header: { count: number; dim: number } | null;
  /** Lines that were malformed and skipped (`onError: 'skip'`). */
  readonly skipped: number;
  /** The first few problems (at most 10) when lines were skipped. */
  readonly problems: readonly VectorProblem[];
  /** Lines whose word was already loaded (e.g. `The` and `the` with `lowercase`); the first one wins. */
  readonly duplicates: number;

  constructor(init: {
    words: string[];
    dim: number;
    data: Float32Array;
    header: { count: number; dim: number } | null;
    skipped: number;
    problems: VectorProblem[];
    duplicates: number;
  }) {
    this.words = init.words;
    this.dim = init.dim;
    this.data = init.data;
    this.header = init.header;
    this.skipped = init.skipped;
    this.problems = init.problems;
    this.duplicates = init.duplicates;
    this.index = new Map(init.words.map((w, i) => [w, i]));
  }

  /** Number of words. */
  get size(): number {
    return this.words.length;
  }

  /** True when `word` has a vector. */
  has(word: string): boolean {
    return this.index.has(word);
  }

  /** The vector of `word` (a view into {@link data}), or `undefined`. */
  get(word: string): Float32Array | undefined {
    const i = this.index.get(word);
    return i === undefined ? undefined : this.data.subarray(i * this.dim, (i + 1) * this.dim);
  }
}
