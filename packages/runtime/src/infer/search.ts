import { SiameseError } from '@siamese/core';
import type { EmbedOptions, SiameseModel } from '../model.js';
import { type SearchHit, VectorIndex } from './vector-index.js';

/** Options of {@link search}. */
export interface SearchOptions {
  /** How many hits (default 5). */
  k?: number;
}

/** Embeds a corpus once into an index searched with the model's similarity; pass it to `search` and `match`. */
export async function buildIndex(
  model: SiameseModel,
  corpus: readonly string[],
  options: EmbedOptions = {},
): Promise<VectorIndex> {
  const index = new VectorIndex(model.dim, { similarity: model.similarity, capacity: corpus.length });
  index.add(await model.embedMatrix(corpus, options), corpus);
  return index;
}

/**
 * The `k` corpus texts most similar to `query` under the model's similarity, best first. Pass an index from
 * {@link buildIndex} to search the same corpus repeatedly.
 */
export async function search(
  model: SiameseModel,
  query: string,
  corpus: readonly string[] | VectorIndex,
  options: SearchOptions = {},
): Promise<SearchHit[]> {
  const index = Array.isArray(corpus) ? await buildIndex(model, corpus) : (corpus as VectorIndex);
  checkIndex(model, index);
  const [q] = await model.embed([query]);
  return index.search(q!, options.k ?? 5);
}

/** An index compares vectors one way; searching it for a model that compares them another way is a mistake. */
function checkIndex(model: SiameseModel, index: VectorIndex): void {
  if (index.similarity !== model.similarity || index.dim !== model.dim) {
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      `search: the index holds ${index.dim}-d vectors compared by ${index.similarity}, the model makes ${model.dim}-d vectors compared by ${model.similarity}: build the index with buildIndex(model, corpus)`,
      {
        details: {
          index: { dim: index.dim, similarity: index.similarity },
          model: { dim: model.dim, similarity: model.similarity },
        },
      },
    );
  }
}
