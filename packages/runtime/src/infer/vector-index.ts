import { describeValue, SiameseError } from '@siamese/core';
import type { Similarity } from '@siamese/losses';
import {
  type Calibration,
  INDEX_PRECISIONS,
  type IndexPrecision,
  popcount,
  quantizeBinary,
} from './quantize.js';
import { QuantizedRows } from './quantized-rows.js';
import { TopK } from './top-k.js';
import { vectorSimilarity } from './vector-similarity.js';
import type { SearchHit, VectorSearchOptions, VectorStore } from './vector-store.js';

export type { SearchHit } from './vector-store.js';

const SIMILARITIES: readonly Similarity[] = ['cosine', 'dot', 'euclidean', 'manhattan'];

/** Default oversampling of the quantized scan before exact rescoring (measured on STS-B: docs/deployment.md). */
export const DEFAULT_RESCORE: Readonly<Record<IndexPrecision, number>> = Object.freeze({
  float32: 1,
  int8: 2,
  binary: 32,
});

/**
 * What a binary index rescores its candidates against: `int8` codes kept beside the bits (the default; as
 * sentence-transformers' binary search with int8 rescoring, recall@10 0.98 on STS-B) or `none` (the bits alone:
 * 32× less memory in all, recall@10 about 0.63).
 */
export type RescoreTier = 'int8' | 'none';

/** Options of the {@link VectorIndex} constructor. */
export interface VectorIndexOptions {
  /** How query and stored vectors are compared (default `cosine`); a model's index uses the model's. */
  similarity?: Similarity;
  /** How vectors are stored (default `float32`): `int8` takes 4× less memory, `binary` 32× less. */
  precision?: IndexPrecision;
  /**
   * The ranges (`int8`) or centres (`binary`) of each dimension. Default: learned from the first `add` (so add
   * a representative batch first; later values outside an int8 range are clamped to it).
   */
  calibration?: Calibration;
  /** What a binary index rescores against (default `int8`; see {@link RescoreTier}). */
  rescoreTier?: RescoreTier;
  /** Default oversampling before rescoring (see {@link VectorSearchOptions.rescore}); per precision by default. */
  rescore?: number;
  /** Vectors to make room for up front (default 1024; the index grows as needed). */
  capacity?: number;
}

/**
 * A flat, exact-scan index of vectors held in memory, compared by one {@link Similarity}; the default
 * {@link VectorStore}. Cosine indexes store L2-normalised rows.
 *
 * - `float32` rows: exact scores.
 * - `int8` rows: the scan scores the float query against the dequantized rows (asymmetric, as
 *   sentence-transformers' rescoring does), then the best `k × rescore` are rescored exactly against them.
 * - `binary` rows: the scan ranks by Hamming distance to the query's bits, then rescoring scores the best
 *   `k × rescore` with the float query against int8 codes kept beside the bits (the `rescoreTier`), or against
 *   the bits read back when there is none.
 *
 * A quantized hit's score is the similarity between the query and the stored vector as read back, close to the
 * float score. Save and load it with `indexToBytes(index)` / `indexFromBytes(bytes)` (a compact binary format).
 */
export class VectorIndex implements VectorStore {
  readonly dim: number;
  readonly similarity: Similarity;
  readonly precision: IndexPrecision;
  /** What a binary index rescores its candidates against: its own bits, or int8 codes kept beside them. */
  readonly rescoreTier: RescoreTier;
  private readonly defaultRescore: number;
  private readonly rows: QuantizedRows;
  /** int8 codes of a binary index with an `int8` rescore tier. */
  private readonly tier: QuantizedRows | undefined;
  private ids: Uint32Array;
  private readonly rowOf = new Map<number, number>();
  private texts: (string | undefined)[] = [];
  private n = 0;
  private nextIdValue = 0;

  constructor(dim: number, options: VectorIndexOptions = {}) {
    if (!Number.isInteger(dim) || dim < 1 || dim > 65_536)
      throw new SiameseError('E_INVALID_ARGUMENT', `VectorIndex: expected dim in 1..65536, found ${dim}`);
    const { similarity = 'cosine', precision = 'float32' } = options;
    if (!SIMILARITIES.includes(similarity)) {
      throw new SiameseError(
        'E_INVALID_ARGUMENT',
        `VectorIndex: expected similarity ${SIMILARITIES.join(' | ')}, found ${JSON.stringify(similarity)}`,
      );
    }
    if (!INDEX_PRECISIONS.includes(precision)) {
      throw new SiameseError(
        'E_INVALID_ARGUMENT',
        `VectorIndex: expected precision ${INDEX_PRECISIONS.join(' | ')}, found ${JSON.stringify(precision)}`,
      );
    }
    const tier = options.rescoreTier ?? (precision === 'binary' ? 'int8' : 'none');
    if (tier !== 'none' && (tier !== 'int8' || precision !== 'binary')) {
      throw new SiameseError(
        'E_INVALID_ARGUMENT',
        `VectorIndex: expected rescoreTier "int8" or "none" (int8 only for a binary index), found ${JSON.stringify(tier)} for ${precision}`,
      );
    }
    this.dim = dim;
    this.similarity = similarity;
    this.precision = precision;
    this.rescoreTier = tier;
    this.defaultRescore = checkRescore(
      options.rescore ?? (tier === 'none' && precision === 'binary' ? 1 : DEFAULT_RESCORE[precision]),
      'VectorIndex',
    );
    const calibration = options.calibration && checkCalibration(options.calibration, dim, 'VectorIndex');
    const capacity = Math.max(1, Math.floor(options.capacity ?? 1024));
    this.rows = new QuantizedRows(
      precision,
      dim,
      capacity,
      precision === 'float32' ? undefined : calibration,
    );
    this.tier = tier === 'int8' ? new QuantizedRows('int8', dim, capacity) : undefined;
    this.ids = new Uint32Array(capacity);
  }

  /** Number of stored vectors. */
  get size(): number {
    return this.n;
  }

  /** Number of stored vectors (the {@link VectorStore} form of `size`). */
  count(): number {
    return this.n;
  }

  /** The id the next added vector gets (ids are never reused). */
  get nextId(): number {
    return this.nextIdValue;
  }

  /** The calibration of a quantized index (undefined for float32, or before the first `add`). */
  get calibration(): Calibration | undefined {
    const cal = this.rows.calibration;
    return cal && { a: cal.a.slice(), b: cal.b.slice() };
  }

  /**
   * Bytes of vectors held in memory: the rows, their calibration, and a binary index's int8 rescore tier. The
   * figure quantization divides; `scanBytes` is the part every search reads.
   */
  get vectorBytes(): number {
    return this.rows.byteLength(this.n) + (this.tier?.byteLength(this.n) ?? 0);
  }

  /** Bytes every search scans (the rows and their calibration, without a rescore tier). */
  get scanBytes(): number {
    return this.rows.byteLength(this.n);
  }

  /**
   * Adds vectors (N×D row-major; normalised here for cosine, then quantized), with optional texts kept for the
   * hits. Returns their ids. A quantized index without a calibration learns it from this batch.
   */
  add(vectors: Float32Array, texts?: readonly string[]): number[] {
    if (!(vectors instanceof Float32Array) || vectors.length % this.dim !== 0) {
      throw new SiameseError(
        'E_INVALID_ARGUMENT',
        `VectorIndex.add: expected a Float32Array of a multiple of ${this.dim} values, found ${describe(vectors)}`,
      );
    }
    const n = vectors.length / this.dim;
    if (texts && texts.length !== n)
      throw new SiameseError('E_INVALID_ARGUMENT', `VectorIndex.add: ${n} vectors but ${texts.length} texts`);
    const bad = vectors.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) {
      throw new SiameseError(
        'E_INVALID_ARGUMENT',
        `VectorIndex.add: expected finite values, found ${vectors[bad]} in vector ${Math.floor(bad / this.dim)} (dimension ${bad % this.dim})`,
        { details: { vector: Math.floor(bad / this.dim), dimension: bad % this.dim } },
      );
    }
    if (n === 0) return [];
    if (this.nextIdValue + n > 0xffffffff)
      throw new SiameseError('E_INVALID_ARGUMENT', 'VectorIndex.add: ids exhausted (2³² vectors added)');
    const rows = this.similarity === 'cosine' ? normaliseRows(vectors, this.dim) : vectors;
    this.rows.calibrateOn(rows);
    this.tier?.calibrateOn(rows);
    this.reserve(this.n + n);
    const ids: number[] = [];
    for (let i = 0; i < n; i++) {
      const id = this.nextIdValue++;
      const values = rows.subarray(i * this.dim, (i + 1) * this.dim);
      this.rows.write(this.n, values);
      this.tier?.write(this.n, values);
      this.ids[this.n] = id;
      this.rowOf.set(id, this.n);
      this.texts[this.n] = texts?.[i];
      this.n++;
      ids.push(id);
    }
    return ids;
  }

  /** Removes the vectors with these ids (unknown ids are skipped); returns how many were removed. */
  remove(ids: readonly number[]): number {
    let removed = 0;
    for (const id of ids) {
      const row = this.rowOf.get(id);
      if (row === undefined) continue;
      // The last row moves into the hole: O(1) per removal; ids, not positions, name vectors.
      const last = this.n - 1;
      if (row !== last) {
        this.rows.copy(last, row);
        this.tier?.copy(last, row);
        this.ids[row] = this.ids[last]!;
        this.texts[row] = this.texts[last];
        this.rowOf.set(this.ids[row]!, row);
      }
      this.rowOf.delete(id);
      this.texts.length = last;
      this.n = last;
      removed++;
    }
    return removed;
  }

  /** True when a vector with this id is stored. */
  has(id: number): boolean {
    return this.rowOf.has(id);
  }

  /** The k stored vectors most similar to `query`, best first (ties: the lower id first). */
  search(query: Float32Array, k: number, options: VectorSearchOptions = {}): SearchHit[] {
    if (!(query instanceof Float32Array) || query.length !== this.dim) {
      throw new SiameseError(
        'E_INVALID_ARGUMENT',
        `VectorIndex.search: expected a Float32Array query of ${this.dim} values, found ${describe(query)}`,
      );
    }
    if (!Number.isInteger(k) || k < 1) {
      throw SiameseError.expected('E_INVALID_ARGUMENT', 'search: k', 'an integer ≥ 1', describeValue(k));
    }
    const want = Math.min(k, this.n);
    if (want === 0) return [];
    const q = this.similarity === 'cosine' ? normaliseRows(query, this.dim) : query;
    let hits: [number, number][];
    if (this.precision === 'float32') {
      hits = this.scanFloat(q, want);
    } else {
      const rescore = checkRescore(options.rescore ?? this.defaultRescore, 'VectorIndex.search');
      const pool = Math.min(this.n, want * rescore);
      const candidates = this.precision === 'int8' ? this.scanInt8(q, pool) : this.scanBinary(q, pool);
      hits = this.rescore(q, candidates, want);
    }
    return hits.map(([row, score]) => {
      const text = this.texts[row];
      const index = this.ids[row]!;
      return text === undefined ? { index, score } : { index, score, text };
    });
  }

  /** The stored vector with this id as read back (unit length for float32 cosine indexes). */
  vector(id: number): Float32Array {
    const row = this.rowOf.get(id);
    if (row === undefined)
      throw new SiameseError('E_INVALID_ARGUMENT', `VectorIndex.vector: no vector with id ${id}`);
    return (this.tier ?? this.rows).read(row, new Float32Array(this.dim));
  }

  /** The stored text with this id, if any. */
  text(id: number): string | undefined {
    const row = this.rowOf.get(id);
    return row === undefined ? undefined : this.texts[row];
  }

  /** JSON form of a float32 index (any index: `indexToBytes`, smaller and exact). */
  toJSON(): {
    dim: number;
    similarity: Similarity;
    vectors: number[];
    texts: (string | null)[];
    ids: number[];
  } {
    if (this.precision !== 'float32') {
      throw new SiameseError(
        'E_INVALID_ARGUMENT',
        `VectorIndex.toJSON: a ${this.precision} index has no JSON form; save it with indexToBytes(index)`,
      );
    }
    return {
      dim: this.dim,
      similarity: this.similarity,
      vectors: Array.from((this.rows.data as Float32Array).subarray(0, this.n * this.dim)),
      texts: this.texts.slice(0, this.n).map((t) => t ?? null),
      ids: Array.from(this.ids.subarray(0, this.n)),
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

  /** @internal The raw parts, for the binary format (`index-format.ts`). */
  rawParts(): RawIndexParts {
    return {
      rows: this.rows.bytes(this.n),
      calibration: this.rows.calibration,
      tier: this.tier && { rows: this.tier.bytes(this.n), calibration: this.tier.calibration },
      ids: this.ids.subarray(0, this.n),
      texts: this.texts.slice(0, this.n),
      nextId: this.nextIdValue,
    };
  }

  /** @internal Rebuilds an index from validated raw parts (`index-format.ts`). */
  static fromRawParts(
    dim: number,
    options: { similarity: Similarity; precision: IndexPrecision; rescoreTier: RescoreTier },
    parts: RawIndexParts,
  ): VectorIndex {
    const n = parts.ids.length;
    const index = new VectorIndex(dim, {
      similarity: options.similarity,
      precision: options.precision,
      rescoreTier: options.rescoreTier,
      capacity: n,
      ...(parts.calibration ? { calibration: parts.calibration } : {}),
    });
    index.rows.load(parts.rows);
    if (parts.tier && index.tier) {
      index.tier.calibration = parts.tier.calibration;
      index.tier.load(parts.tier.rows);
    }
    index.ids.set(parts.ids);
    for (let i = 0; i < n; i++) index.rowOf.set(parts.ids[i]!, i);
    index.texts = parts.texts.slice();
    index.n = n;
    index.nextIdValue = parts.nextId;
    return index;
  }

  private reserve(n: number): void {
    if (n <= this.ids.length) return;
    const capacity = Math.max(n, this.ids.length * 2);
    this.rows.reserve(capacity, this.n);
    this.tier?.reserve(capacity, this.n);
    const ids = new Uint32Array(capacity);
    ids.set(this.ids.subarray(0, this.n));
    this.ids = ids;
  }

  /** Exact scores of float rows; returns [row, score] best first (TopK breaks ties by id). */
  private scanFloat(q: Float32Array, k: number): [number, number][] {
    const data = this.rows.data as Float32Array;
    const top = new TopK(k);
    const d = this.dim;
    if (this.similarity === 'cosine' || this.similarity === 'dot') {
      for (let i = 0; i < this.n; i++) {
        let s = 0;
        const off = i * d;
        for (let j = 0; j < d; j++) s += data[off + j]! * q[j]!;
        top.push(this.ids[i]!, s);
      }
    } else {
      const row = new Float32Array(d);
      for (let i = 0; i < this.n; i++)
        top.push(this.ids[i]!, vectorSimilarity(q, this.rows.read(i, row), this.similarity));
    }
    return top.sorted().map(([id, score]) => [this.rowOf.get(id)!, score]);
  }

  /**
   * Candidates from int8 rows: the float query against the dequantized rows. For cosine and dot that is
   * `Σ q·(lo + step·(c + 128)) = const + Σ (q·step)·c`, one multiply-add per byte; the other similarities
   * dequantize each value.
   */
  private scanInt8(q: Float32Array, k: number): number[] {
    const codes = this.rows.data as Int8Array;
    const { a, b } = this.rows.calibration!;
    const d = this.dim;
    const top = new TopK(k);
    if (this.similarity === 'cosine' || this.similarity === 'dot') {
      const w = new Float32Array(d);
      let base = 0;
      for (let j = 0; j < d; j++) {
        const step = (b[j]! - a[j]!) / 255;
        w[j] = q[j]! * step;
        base += q[j]! * a[j]! + 128 * w[j]!;
      }
      for (let i = 0; i < this.n; i++) {
        let s = base;
        const off = i * d;
        for (let j = 0; j < d; j++) s += w[j]! * codes[off + j]!;
        top.push(i, s);
      }
    } else {
      const row = new Float32Array(d);
      for (let i = 0; i < this.n; i++)
        top.push(i, vectorSimilarity(q, this.rows.read(i, row), this.similarity));
    }
    return top.sorted().map(([row]) => row);
  }

  /** Candidates from binary rows: the fewest bits different from the query's. */
  private scanBinary(q: Float32Array, k: number): number[] {
    const words = this.rows.data as Uint32Array;
    const len = this.rows.rowLength;
    const bits = new Uint32Array(len);
    quantizeBinary(q, this.rows.calibration!, bits, 0);
    const top = new TopK(k);
    for (let i = 0; i < this.n; i++) {
      let h = 0;
      const off = i * len;
      for (let w = 0; w < len; w++) h += popcount(words[off + w]! ^ bits[w]!);
      top.push(i, -h);
    }
    return top.sorted().map(([row]) => row);
  }

  /**
   * Scores candidate rows exactly against the query and the rows as read back (from the int8 tier of a binary
   * index that has one); returns the best `k` as [row, score].
   */
  private rescore(q: Float32Array, candidates: number[], k: number): [number, number][] {
    const source = this.tier ?? this.rows;
    const top = new TopK(k);
    const row = new Float32Array(this.dim);
    // TopK breaks ties by its index: push ids so that ties go to the lower id, then map back to rows.
    for (const r of candidates)
      top.push(this.ids[r]!, vectorSimilarity(q, source.read(r, row), this.similarity));
    return top.sorted().map(([id, score]) => [this.rowOf.get(id)!, score]);
  }
}

/** @internal What the binary format stores of an index. */
export interface RawIndexParts {
  rows: Uint8Array;
  calibration: Calibration | undefined;
  tier: { rows: Uint8Array; calibration: Calibration | undefined } | undefined;
  ids: Uint32Array;
  texts: (string | undefined)[];
  nextId: number;
}

function normaliseRows(vectors: Float32Array, dim: number): Float32Array {
  const out = new Float32Array(vectors.length);
  for (let off = 0; off < vectors.length; off += dim) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += vectors[off + j]! ** 2;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let j = 0; j < dim; j++) out[off + j] = vectors[off + j]! * inv;
  }
  return out;
}

function checkRescore(value: number, where: string): number {
  if (!Number.isInteger(value) || value < 1 || value > 10_000) {
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      `${where}: expected rescore to be an integer oversampling factor in 1..10000, found ${value}`,
    );
  }
  return value;
}

function checkCalibration(cal: Calibration, dim: number, where: string): Calibration {
  const ok =
    cal?.a instanceof Float32Array &&
    cal.b instanceof Float32Array &&
    cal.a.length === dim &&
    cal.b.length === dim &&
    cal.a.every(Number.isFinite) &&
    cal.b.every(Number.isFinite);
  if (!ok) {
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      `${where}: expected a calibration of two Float32Arrays of ${dim} finite values (a, b)`,
    );
  }
  return { a: cal.a.slice(), b: cal.b.slice() };
}

function describe(value: unknown): string {
  if (value instanceof Float32Array) return `${value.length} values`;
  return value === null
    ? 'null'
    : typeof value === 'object'
      ? (value.constructor?.name ?? 'object')
      : typeof value;
}
