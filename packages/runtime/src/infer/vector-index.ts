import { describeValue, SiameseError } from '@siamese/core';
import type { Similarity } from '@siamese/losses';
import { TopK } from './top-k.js';
import { vectorSimilarity } from './vector-similarity.js';

/** A search hit: the corpus position, its similarity to the query, and the stored text if any. */
export interface SearchHit {
  index: number;
  score: number;
  text?: string;
}

/** Options of the {@link VectorIndex} constructor. */
export interface VectorIndexOptions {
  /** How query and stored vectors are compared (default `cosine`); a model's index uses the model's. */
  similarity?: Similarity;
  /** Vectors to make room for up front (default 1024; the index grows as needed). */
  capacity?: number;
}

/**
 * A flat, exact index of vectors (row-major Float32Array, N×D), searched with one {@link Similarity}. Cosine
 * indexes store L2-normalised rows, so a search is one dot product per row. Fine up to ~10⁶ × 128 floats in
 * memory. Serialisable as `{ dim, similarity, vectors, texts }`.
 */
export class VectorIndex {
  readonly dim: number;
  readonly similarity: Similarity;
  private data: Float32Array;
  private count: number;
  private readonly texts: (string | undefined)[] = [];

  constructor(dim: number, options: VectorIndexOptions = {}) {
    if (!Number.isInteger(dim) || dim < 1)
      throw new SiameseError('E_INVALID_ARGUMENT', `VectorIndex: expected dim ≥ 1, found ${dim}`);
    this.dim = dim;
    this.similarity = options.similarity ?? 'cosine';
    this.data = new Float32Array(dim * Math.max(1, options.capacity ?? 1024));
    this.count = 0;
  }

  /** Number of stored vectors. */
  get size(): number {
    return this.count;
  }

  /** Adds vectors (N×D; normalised here for cosine), with optional texts kept for the hits. Returns their indices. */
  add(vectors: Float32Array, texts?: readonly string[]): number[] {
    if (vectors.length % this.dim !== 0) {
      throw new SiameseError(
        'E_INVALID_ARGUMENT',
        `VectorIndex.add: expected a multiple of ${this.dim} values, found ${vectors.length}`,
      );
    }
    const n = vectors.length / this.dim;
    if (texts && texts.length !== n)
      throw new SiameseError('E_INVALID_ARGUMENT', `VectorIndex.add: ${n} vectors but ${texts.length} texts`);
    this.reserve(this.count + n);
    const ids: number[] = [];
    for (let i = 0; i < n; i++) {
      const row = vectors.subarray(i * this.dim, (i + 1) * this.dim);
      const scale = this.similarity === 'cosine' ? inverseNorm(row) : 1;
      const dst = (this.count + i) * this.dim;
      for (let j = 0; j < this.dim; j++) this.data[dst + j] = row[j]! * scale;
      this.texts[this.count + i] = texts?.[i];
      ids.push(this.count + i);
    }
    this.count += n;
    return ids;
  }

  /** The k stored vectors most similar to `query`, best first. */
  search(query: Float32Array, k: number): SearchHit[] {
    if (query.length !== this.dim) {
      throw new SiameseError(
        'E_INVALID_ARGUMENT',
        `VectorIndex.search: expected a query of ${this.dim} values, found ${query.length}`,
      );
    }
    if (!Number.isInteger(k) || k < 1) {
      throw SiameseError.expected('E_INVALID_ARGUMENT', 'search: k', 'an integer ≥ 1', describeValue(k));
    }
    const top = new TopK(Math.min(k, this.count));
    if (this.similarity === 'cosine' || this.similarity === 'dot') {
      // Stored cosine rows are unit length: scaling the query makes the dot product the cosine.
      const q = this.similarity === 'cosine' ? inverseNorm(query) : 1;
      for (let i = 0; i < this.count; i++) {
        let s = 0;
        const off = i * this.dim;
        for (let j = 0; j < this.dim; j++) s += this.data[off + j]! * query[j]!;
        top.push(i, s * q);
      }
    } else {
      for (let i = 0; i < this.count; i++)
        top.push(i, vectorSimilarity(query, this.vector(i), this.similarity));
    }
    return top.sorted().map(([index, score]) => {
      const text = this.texts[index];
      return text === undefined ? { index, score } : { index, score, text };
    });
  }

  /** The stored vector at `index` (unit length for cosine indexes). */
  vector(index: number): Float32Array {
    return this.data.slice(index * this.dim, (index + 1) * this.dim);
  }

  toJSON(): { dim: number; similarity: Similarity; vectors: number[]; texts: (string | null)[] } {
    return {
      dim: this.dim,
      similarity: this.similarity,
      vectors: Array.from(this.data.subarray(0, this.count * this.dim)),
      texts: this.texts.slice(0, this.count).map((t) => t ?? null),
    };
  }

  static fromJSON(json: {
    dim: number;
    similarity?: Similarity;
    vectors: ArrayLike<number>;
    texts?: (string | null)[];
  }): VectorIndex {
    const index = new VectorIndex(json.dim, {
      capacity: json.vectors.length / json.dim,
      ...(json.similarity ? { similarity: json.similarity } : {}),
    });
    const texts = json.texts?.map((t) => t ?? '');
    index.add(Float32Array.from(json.vectors), texts);
    return index;
  }

  private reserve(n: number): void {
    if (n * this.dim <= this.data.length) return;
    const next = new Float32Array(Math.max(n, (this.data.length / this.dim) * 2) * this.dim);
    next.set(this.data.subarray(0, this.count * this.dim));
    this.data = next;
  }
}

function inverseNorm(v: ArrayLike<number>): number {
  let n = 0;
  for (let j = 0; j < v.length; j++) n += v[j]! ** 2;
  return n > 0 ? 1 / Math.sqrt(n) : 0;
}
