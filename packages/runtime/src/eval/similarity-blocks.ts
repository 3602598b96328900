import { SiameseError } from '@siamese/core';
import type { Similarity } from '@siamese/losses';

/**
 * Row-major vectors (n × dim) compared block by block: a chunk of rows against every row, so a caller holding
 * `chunk × n` similarities at a time never needs the n × n matrix.
 */
export class SimilarityBlocks {
  readonly n: number;
  private readonly rows: Float32Array;

  /** Cosine vectors are L2-normalised once here, so every block is a plain dot product. */
  constructor(
    vectors: Float32Array,
    readonly dim: number,
    readonly similarity: Similarity,
  ) {
    if (!Number.isInteger(dim) || dim < 1 || vectors.length % dim !== 0) {
      throw new SiameseError(
        'E_INVALID_ARGUMENT',
        `expected a row-major matrix of ${dim}-d vectors, found ${vectors.length} values`,
      );
    }
    this.n = vectors.length / dim;
    this.rows = similarity === 'cosine' ? normalised(vectors, dim) : vectors;
  }

  /** Similarities of rows [start, end) against all rows, row-major ((end − start) × n). */
  block(start: number, end: number): Float32Array {
    const { n, dim, rows } = this;
    const out = new Float32Array((end - start) * n);
    for (let i = start; i < end; i++) {
      const a = i * dim;
      const o = (i - start) * n;
      for (let j = 0; j < n; j++) out[o + j] = this.pair(rows, a, j * dim);
    }
    return out;
  }

  private pair(rows: Float32Array, a: number, b: number): number {
    const dim = this.dim;
    let acc = 0;
    if (this.similarity === 'cosine' || this.similarity === 'dot') {
      for (let t = 0; t < dim; t++) acc += rows[a + t]! * rows[b + t]!;
      return acc;
    }
    if (this.similarity === 'euclidean') {
      for (let t = 0; t < dim; t++) {
        const d = rows[a + t]! - rows[b + t]!;
        acc += d * d;
      }
      return -Math.sqrt(acc);
    }
    for (let t = 0; t < dim; t++) acc += Math.abs(rows[a + t]! - rows[b + t]!);
    return -acc;
  }
}

function normalised(vectors: Float32Array, dim: number): Float32Array {
  const out = new Float32Array(vectors.length);
  for (let o = 0; o < vectors.length; o += dim) {
    let s = 0;
    for (let t = 0; t < dim; t++) s += vectors[o + t]! * vectors[o + t]!;
    const inv = 1 / Math.max(Math.sqrt(s), 1e-8);
    for (let t = 0; t < dim; t++) out[o + t] = vectors[o + t]! * inv;
  }
  return out;
}

/** A whole number option in [min, max], or its default; the error names the caller and the option. */
export function wholeOption(
  what: string,
  name: string,
  value: unknown,
  fallback: number,
  min: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      `${what}: expected ${name} to be a whole number ≥ ${min}, found ${String(value)}`,
      { details: { [name]: value } },
    );
  }
  return value;
}

/** A finite number option, or its default. */
export function finiteOption(what: string, name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      `${what}: expected ${name} to be a finite number, found ${String(value)}`,
      { details: { [name]: value } },
    );
  }
  return value;
}
