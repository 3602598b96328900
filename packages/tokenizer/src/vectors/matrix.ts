import { Rng, SiameseError } from '@siamese/core';
import { PAD_TOKEN, UNK_TOKEN, Vocabulary } from '../vocabulary.js';
import type { WordVectors } from './word-vectors.js';

/** Options of {@link buildEmbeddingMatrix}. */
export interface EmbeddingMatrixOptions {
  /**
   * Rows of vocabulary words the file lacks (and of `[UNK]` / extra specials): `'zeros'` (default),
   * `'random'` (normal, mean 0, `std`, seeded) or `'mean'` (the mean of all the file's vectors).
   */
  missing?: 'zeros' | 'random' | 'mean';
  /** Seed of `'random'`; default 0. */
  seed?: number;
  /** Standard deviation of `'random'`; default: the standard deviation of the file's values. */
  std?: number;
  /** Try the lower-cased token when the token itself has no vector; default `true`. */
  caseFallback?: boolean;
}

/** How much of a vocabulary the vector file covers (special tokens are not counted). */
export interface Coverage {
  /** Distinct tokens with a vector / all distinct tokens. */
  types: { covered: number; total: number };
  /** Running tokens (weighted by the vocabulary's corpus counts) with a vector / all running tokens. */
  tokens: { covered: number; total: number };
}

/** Output of {@link buildEmbeddingMatrix}. */
export interface EmbeddingMatrix {
  /** Row-major `rows × dim`; row i is the vector of vocabulary id i; the `[PAD]` row is zeros. */
  matrix: Float32Array;
  rows: number;
  dim: number;
  coverage: Coverage;
  /** Ids whose row came from the file (a `Uint8Array` flag per id). */
  found: Uint8Array;
}

/**
 * Builds an embedding matrix aligned to `vocab` from loaded vectors, with a coverage report.
 *
 * @example
 * ```ts
 * const { matrix, coverage } = buildEmbeddingMatrix(tokenizer.vocab, vectors, { missing: 'random', seed: 1 });
 * ```
 */
export function buildEmbeddingMatrix(
  vocab: Vocabulary,
  vectors: WordVectors,
  options: EmbeddingMatrixOptions = {},
): EmbeddingMatrix {
  if (!(vocab instanceof Vocabulary)) throw new TypeError('vocab: expected a Vocabulary');
  const missing = options.missing ?? 'zeros';
  if (missing !== 'zeros' && missing !== 'random' && missing !== 'mean') {
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      `missing: expected 'zeros', 'random' or 'mean', found ${JSON.stringify(missing)}`,
    );
  }
  const caseFallback = options.caseFallback ?? true;
  const { dim, data } = vectors;
  const V = vocab.size;
  const matrix = new Float32Array(V * dim);
  const found = new Uint8Array(V);
  let mean: Float32Array | null = null;
  if (missing === 'mean') {
    const acc = new Float64Array(dim);
    for (let i = 0; i < data.length; i++) acc[i % dim]! += data[i]!;
    mean = Float32Array.from(acc, (x) => (vectors.size ? x / vectors.size : 0));
  }
  const rng = missing === 'random' ? new Rng(options.seed ?? 0) : null;
  const std = options.std ?? (missing === 'random' ? valueStd(data) : 0);
  const coverage: Coverage = { types: { covered: 0, total: 0 }, tokens: { covered: 0, total: 0 } };
  for (let id = 0; id < V; id++) {
    if (id === vocab.padId) continue;
    const tok = vocab.tokenOf(id);
    let row = vectors.index.get(tok);
    if (row === undefined && caseFallback) {
      const lower = tok.toLowerCase();
      if (lower !== tok) row = vectors.index.get(lower);
    }
    const special = vocab.specialIds.has(id);
    const count = vocab.count(id);
    if (!special) {
      coverage.types.total++;
      coverage.tokens.total += count;
    }
    const out = id * dim;
    if (row !== undefined) {
      matrix.set(data.subarray(row * dim, (row + 1) * dim), out);
      found[id] = 1;
      if (!special) {
        coverage.types.covered++;
        coverage.tokens.covered += count;
      }
    } else if (mean) matrix.set(mean, out);
    else if (rng) for (let d = 0; d < dim; d++) matrix[out + d] = rng.normal(0, std);
  }
  return { matrix, rows: V, dim, coverage, found };
}

function valueStd(data: Float32Array): number {
  if (data.length === 0) return 0;
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < data.length; i++) {
    s += data[i]!;
    s2 += data[i]! * data[i]!;
  }
  const m = s / data.length;
  return Math.sqrt(Math.max(0, s2 / data.length - m * m));
}

/**
 * A vocabulary of the first `maxSize` words of a vector file (files are frequency-sorted), after
 * `[PAD]` (0), `[UNK]` (1) and any extra specials. Counts are 0 (the file has none).
 */
export function vocabularyFromVectors(
  vectors: WordVectors,
  options: { maxSize?: number; specials?: string[] } = {},
): Vocabulary {
  const specials = [
    PAD_TOKEN,
    UNK_TOKEN,
    ...(options.specials ?? []).filter((s) => s !== PAD_TOKEN && s !== UNK_TOKEN),
  ];
  const maxSize = options.maxSize ?? Number.POSITIVE_INFINITY;
  if (!(maxSize >= specials.length)) {
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      `maxSize: expected at least ${specials.length} (the special tokens), found ${maxSize}`,
    );
  }
  const reserved = new Set(specials);
  const tokens = [...specials];
  for (const w of vectors.words) {
    if (tokens.length >= maxSize) break;
    if (!reserved.has(w)) tokens.push(w);
  }
  return Vocabulary.fromTokens(tokens, { pad: PAD_TOKEN, unk: UNK_TOKEN, specials });
}
