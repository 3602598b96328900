import { SiameseError } from '@siamese/core';
import type { Similarity } from '@siamese/losses';
import { TopK } from '../infer/top-k.js';
import type { EmbedOptions, SiameseModel } from '../model.js';
import { finiteOption, SimilarityBlocks, wholeOption } from './similarity-blocks.js';

/** A mined pair: texts `i < j` and their similarity. */
export interface Paraphrase {
  score: number;
  i: number;
  j: number;
}

/** Options of {@link paraphraseMining}. */
export interface ParaphraseMiningOptions {
  /** Neighbours kept per text (default 100): a pair is mined when either text is among the other's top k. */
  topK?: number;
  /** Texts compared against all others at a time (default 1024): memory is `chunk × texts.length` scores. */
  chunk?: number;
  /** Keep only pairs at least this similar (default: all). */
  threshold?: number;
  /** Most pairs returned, best first (default 500000). */
  maxPairs?: number;
  /** How the texts are embedded (batch size, workers). */
  embed?: EmbedOptions;
  /** Called after each chunk with the texts done so far. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Finds the most similar pairs among `texts` under the model's similarity, best first, as
 * sentence-transformers' `paraphrase_mining`: each text's `topK` nearest others are candidates, a pair counts
 * once. Chunked: a block of `chunk` texts is compared with all texts at a time, so memory stays
 * `O(chunk × n + n × topK)`, never `n²`. Ties are broken by the lower indices.
 *
 * @example
 * ```ts
 * const pairs = await paraphraseMining(model, sentences, { topK: 5, threshold: 0.9 });
 * for (const { score, i, j } of pairs.slice(0, 3)) console.log(score.toFixed(3), sentences[i], '≈', sentences[j]);
 * ```
 */
export async function paraphraseMining(
  model: SiameseModel,
  texts: readonly string[],
  options: ParaphraseMiningOptions = {},
): Promise<Paraphrase[]> {
  checkMiningOptions('paraphraseMining', options);
  const vectors = await model.embedMatrix(texts, options.embed);
  return paraphraseMiningVectors(vectors, model.dim, model.similarity, options);
}

/** {@link paraphraseMining} over vectors already embedded (row-major, `dim` wide). */
export function paraphraseMiningVectors(
  vectors: Float32Array,
  dim: number,
  similarity: Similarity,
  options: Omit<ParaphraseMiningOptions, 'embed'> = {},
): Paraphrase[] {
  const { topK, chunk, threshold, maxPairs } = checkMiningOptions('paraphraseMining', options);
  const blocks = new SimilarityBlocks(vectors, dim, similarity);
  const n = blocks.n;
  const k = Math.min(topK, n - 1);
  const seen = new Set<number>();
  const pairs: Paraphrase[] = [];
  for (let start = 0; start < n; start += chunk) {
    const end = Math.min(n, start + chunk);
    const block = blocks.block(start, end);
    for (let i = start; i < end; i++) {
      const heap = new TopK(k);
      const row = (i - start) * n;
      for (let j = 0; j < n; j++) if (j !== i && block[row + j]! >= threshold) heap.push(j, block[row + j]!);
      for (const [index, score] of heap.sorted()) {
        const a = Math.min(i, index);
        const b = Math.max(i, index);
        const key = a * n + b;
        if (seen.has(key)) continue;
        seen.add(key);
        pairs.push({ score, i: a, j: b });
      }
    }
    options.onProgress?.(end, n);
  }
  pairs.sort((x, y) => y.score - x.score || x.i - y.i || x.j - y.j);
  return pairs.length > maxPairs ? pairs.slice(0, maxPairs) : pairs;
}

function checkMiningOptions(what: string, o: Omit<ParaphraseMiningOptions, 'embed'>) {
  if (o === null || typeof o !== 'object')
    throw new SiameseError('E_INVALID_ARGUMENT', `${what}: expected an options object`);
  return {
    topK: wholeOption(what, 'topK', o.topK, 100, 1),
    chunk: wholeOption(what, 'chunk', o.chunk, 1024, 1),
    threshold: finiteOption(what, 'threshold', o.threshold, Number.NEGATIVE_INFINITY),
    maxPairs: wholeOption(what, 'maxPairs', o.maxPairs, 500_000, 1),
  };
}
