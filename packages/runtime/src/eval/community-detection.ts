import { SiameseError } from '@siamese/core';
import type { Similarity } from '@siamese/losses';
import type { EmbedOptions, SiameseModel } from '../model.js';
import { finiteOption, SimilarityBlocks, wholeOption } from './similarity-blocks.js';

/** Options of {@link communityDetection}. */
export interface CommunityDetectionOptions {
  /** Similarity at which two texts are close (default 0.75, for cosine). */
  threshold?: number;
  /** Fewest texts in a community (default 10; at most the number of texts). */
  minSize?: number;
  /** Texts compared against all others at a time (default 1024): memory is `chunk × texts.length` scores. */
  chunk?: number;
  /** How the texts are embedded (batch size, workers). */
  embed?: EmbedOptions;
  /** Called after each chunk with the texts done so far. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Groups texts into communities of near-duplicates, as sentence-transformers' `community_detection`: every
 * text with at least `minSize` texts (itself included) within `threshold` is a candidate centre, its community
 * those texts by decreasing similarity; the largest candidates are kept first and a text joins one community
 * at most. Returns lists of text indices, largest first, each starting with its centre. Chunked: memory is
 * `chunk × n` scores plus the candidates, never the n × n matrix.
 *
 * @example
 * ```ts
 * const groups = await communityDetection(model, questions, { threshold: 0.8, minSize: 3 });
 * for (const g of groups) console.log(g.length, questions[g[0]]);
 * ```
 */
export async function communityDetection(
  model: SiameseModel,
  texts: readonly string[],
  options: CommunityDetectionOptions = {},
): Promise<number[][]> {
  checkOptions(options);
  const vectors = await model.embedMatrix(texts, options.embed);
  return communityDetectionVectors(vectors, model.dim, model.similarity, options);
}

/** {@link communityDetection} over vectors already embedded (row-major, `dim` wide). */
export function communityDetectionVectors(
  vectors: Float32Array,
  dim: number,
  similarity: Similarity,
  options: Omit<CommunityDetectionOptions, 'embed'> = {},
): number[][] {
  const { threshold, minSize, chunk } = checkOptions(options);
  const blocks = new SimilarityBlocks(vectors, dim, similarity);
  const n = blocks.n;
  const size = Math.min(minSize, n);
  const candidates: number[][] = [];
  for (let start = 0; start < n; start += chunk) {
    const end = Math.min(n, start + chunk);
    const block = blocks.block(start, end);
    for (let i = start; i < end; i++) {
      const row = (i - start) * n;
      const close: number[] = [];
      for (let j = 0; j < n; j++) if (block[row + j]! >= threshold) close.push(j);
      if (close.length < size) continue;
      // The centre first (it is its own nearest), then by decreasing similarity, ties by index.
      close.sort((a, b) => (a === i ? -1 : b === i ? 1 : block[row + b]! - block[row + a]! || a - b));
      candidates.push(close);
    }
    options.onProgress?.(end, n);
  }
  candidates.sort((a, b) => b.length - a.length); // stable: equal sizes keep text order
  const taken = new Uint8Array(n);
  const communities: number[][] = [];
  for (const candidate of candidates) {
    const free = candidate.filter((t) => !taken[t]);
    if (free.length < size) continue;
    for (const t of free) taken[t] = 1;
    communities.push(free);
  }
  return communities.sort((a, b) => b.length - a.length);
}

function checkOptions(o: Omit<CommunityDetectionOptions, 'embed'>) {
  const what = 'communityDetection';
  if (o === null || typeof o !== 'object')
    throw new SiameseError('E_INVALID_ARGUMENT', `${what}: expected an options object`);
  return {
    threshold: finiteOption(what, 'threshold', o.threshold, 0.75),
    minSize: wholeOption(what, 'minSize', o.minSize, 10, 1),
    chunk: wholeOption(what, 'chunk', o.chunk, 1024, 1),
  };
}
