import { InvalidArgumentError } from '@siamese/core';

/** A search hit: the corpus position, its similarity to the query, and the stored text if any. */
export interface SearchHit {
  index: number;
  score: number;
  text?: string;
}

/**
 * A flat index of L2-normalised vectors (row-major Float32Array, N×D): cosine similarity is a dot product.
 * Exact search; fine up to ~10⁶ × 128 floats in memory. Serialisable as `{dim, vectors, texts}`.
 */
export class VectorIndex {
  readonly dim: number;
  private data: Float32Array;
  private count: number;
  private readonly texts: (string | undefined)[] = [];

  constructor(dim: number, capacity = 1024) {
    if (!Number.isInteger(dim) || dim < 1)
      throw new InvalidArgumentError(`VectorIndex: expected dim ≥ 1, found ${dim}`);
    this.dim = dim;
    this.data = new Float32Array(dim * Math.max(1, capacity));
    this.count = 0;
  }

  /** Number of stored vectors. */
  get size(): number {
    return this.count;
  }

  /** Adds vectors (N×D, normalised here), with optional texts kept for the hits. Returns their indices. */
  add(vectors: Float32Array, texts?: readonly string[]): number[] {
    if (vectors.length % this.dim !== 0) {
      throw new InvalidArgumentError(
        `VectorIndex.add: expected a multiple of ${this.dim} values, found ${vectors.length}`,
      );
    }
    const n = vectors.length / this.dim;
    if (texts && texts.length !== n)
      throw new InvalidArgumentError(`VectorIndex.add: ${n} vectors but ${texts.length} texts`);
    this.reserve(this.count + n);
    const ids: number[] = [];
    for (let i = 0; i < n; i++) {
      const dst = (this.count + i) * this.dim;
      let norm = 0;
      for (let j = 0; j < this.dim; j++) norm += vectors[i * this.dim + j]! ** 2;
      const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (let j = 0; j < this.dim; j++) this.data[dst + j] = vectors[i * this.dim + j]! * inv;
      this.texts[this.count + i] = texts?.[i];
      ids.push(this.count + i);
    }
    this.count += n;
    return ids;
  }

  /** The k most similar stored vectors to `query` (cosine), best first. */
  search(query: Float32Array, k: number): SearchHit[] {
    if (query.length !== this.dim) {
      throw new InvalidArgumentError(
        `VectorIndex.search: expected a query of ${this.dim} values, found ${query.length}`,
      );
    }
    let qn = 0;
    for (let j = 0; j < this.dim; j++) qn += query[j]! ** 2;
    const qi = qn > 0 ? 1 / Math.sqrt(qn) : 0;
    const top = new TopK(Math.min(Math.max(1, Math.floor(k)), this.count));
    for (let i = 0; i < this.count; i++) {
      let s = 0;
      const off = i * this.dim;
      for (let j = 0; j < this.dim; j++) s += this.data[off + j]! * query[j]!;
      top.push(i, s * qi);
    }
    return top.sorted().map(([index, score]) => {
      const text = this.texts[index];
      return text === undefined ? { index, score } : { index, score, text };
    });
  }

  /** The stored (normalised) vector at `index`. */
  vector(index: number): Float32Array {
    return this.data.slice(index * this.dim, (index + 1) * this.dim);
  }

  toJSON(): { dim: number; vectors: number[]; texts: (string | null)[] } {
    return {
      dim: this.dim,
      vectors: Array.from(this.data.subarray(0, this.count * this.dim)),
      texts: this.texts.slice(0, this.count).map((t) => t ?? null),
    };
  }

  static fromJSON(json: { dim: number; vectors: ArrayLike<number>; texts?: (string | null)[] }): VectorIndex {
    const index = new VectorIndex(json.dim, json.vectors.length / json.dim);
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

/**
 * Keeps the k largest (index, score) pairs in a min-heap. Ties go to the lower index, whatever the push order:
 * the heap's root is the worst entry (lowest score; among equal scores, the highest index). `0` and `-0` tie.
 */
export class TopK {
  private readonly idx: Int32Array;
  private readonly val: Float64Array;
  private n = 0;

  constructor(private readonly k: number) {
    this.idx = new Int32Array(Math.max(k, 0));
    this.val = new Float64Array(Math.max(k, 0));
  }

  /** True when entry (i1, s1) ranks below (i2, s2). */
  private static below(i1: number, s1: number, i2: number, s2: number): boolean {
    return s1 < s2 || (s1 === s2 && i1 > i2);
  }

  push(index: number, score: number): void {
    if (this.k === 0) return;
    const { idx, val } = this;
    if (this.n < this.k) {
      let i = this.n++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!TopK.below(index, score, idx[p]!, val[p]!)) break;
        idx[i] = idx[p]!;
        val[i] = val[p]!;
        i = p;
      }
      idx[i] = index;
      val[i] = score;
      return;
    }
    if (!TopK.below(idx[0]!, val[0]!, index, score)) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= this.n) break;
      const r = l + 1;
      const c = r < this.n && TopK.below(idx[r]!, val[r]!, idx[l]!, val[l]!) ? r : l;
      if (!TopK.below(idx[c]!, val[c]!, index, score)) break;
      idx[i] = idx[c]!;
      val[i] = val[c]!;
      i = c;
    }
    idx[i] = index;
    val[i] = score;
  }

  /** Best first; ties broken by the lower index. */
  sorted(): [number, number][] {
    const out: [number, number][] = [];
    for (let i = 0; i < this.n; i++) out.push([this.idx[i]!, this.val[i]!]);
    return out.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  }
}
