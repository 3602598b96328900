import { SiameseError } from '@siamese/core';
import type { EmbedOptions, SiameseModel } from '../model.js';
import type { IndexPrecision } from './quantize.js';
import { VectorIndex } from './vector-index.js';
import type { SearchHit, VectorStore } from './vector-store.js';

/** Options of {@link search}. */
export interface SearchOptions {
  /** How many hits (default 5). */
  k?: number;
  /** Oversampling before exact rescoring, for quantized indexes (default: the index's). */
  rescore?: number;
}

/** Options of {@link buildIndex}: how texts are embedded, and how the index stores the vectors. */
export interface BuildIndexOptions extends EmbedOptions {
  /** `float32` (default), `int8` (4× smaller) or `binary` (32× smaller); quantized ranges come from the corpus. */
  precision?: IndexPrecision;
}

/**
 * Embeds a corpus once into an in-memory index compared by the model's similarity; pass it to `search` and
 * `match`. A quantized index is calibrated on the corpus itself.
 */
export async function buildIndex(
  model: SiameseModel,
  corpus: readonly string[],
  options: BuildIndexOptions = {},
): Promise<VectorIndex> {
  const { precision, ...embed } = options;
  const index = new VectorIndex(model.dim, {
    similarity: model.similarity,
    capacity: corpus.length,
    ...(precision ? { precision } : {}),
  });
  index.add(await model.embedMatrix(corpus, embed), corpus);
  return index;
}

/**
 * The `k` corpus texts most similar to `query` under the model's similarity, best first. `corpus` is a list of
 * texts (embedded on each call) or any {@link VectorStore}: an index from {@link buildIndex}, a loaded one, or a
 * database store such as `@siamese/pgvector`'s.
 */
export async function search(
  model: SiameseModel,
  query: string,
  corpus: readonly string[] | VectorStore,
  options: SearchOptions = {},
): Promise<SearchHit[]> {
  const store = Array.isArray(corpus) ? await buildIndex(model, corpus) : (corpus as VectorStore);
  checkStore(model, store);
  const [q] = await model.embed([query]);
  return await store.search(
    q!,
    options.k ?? 5,
    options.rescore === undefined ? {} : { rescore: options.rescore },
  );
}

/** A store compares vectors one way; searching it for a model that compares them another way is a mistake. */
function checkStore(model: SiameseModel, store: VectorStore): void {
  if (typeof store?.search !== 'function') {
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      'search: expected an array of texts or a VectorStore (an object with dim, similarity, add, remove, search, count)',
    );
  }
  if (store.similarity !== model.similarity || store.dim !== model.dim) {
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      `search: the index holds ${store.dim}-d vectors compared by ${store.similarity}, the model makes ${model.dim}-d vectors compared by ${model.similarity}: build the index with buildIndex(model, corpus)`,
      {
        details: {
          index: { dim: store.dim, similarity: store.similarity },
          model: { dim: model.dim, similarity: model.similarity },
        },
      },
    );
  }
}
