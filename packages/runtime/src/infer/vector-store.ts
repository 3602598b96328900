import type { Similarity } from '@siamese/losses';

/** A search hit: the id `add` gave the vector, its similarity to the query, and the stored text if any. */
export interface SearchHit {
  index: number;
  score: number;
  text?: string;
}

/** A value, or a promise of it: in-memory stores answer at once, database stores asynchronously. */
export type Awaitable<T> = T | Promise<T>;

/** Options of {@link VectorStore.search}. */
export interface VectorSearchOptions {
  /**
   * Oversampling for quantized stores: the quantized scan keeps `k × rescore` candidates, which are then scored
   * exactly against the query. Stores that keep full-precision vectors ignore it.
   */
  rescore?: number;
}

/**
 * Where `search` and `match` find vectors: add, remove, search, count. `VectorIndex` (in memory, float32, int8
 * or binary) is the default; `@siamese/pgvector` keeps them in Postgres. A store compares vectors by one
 * `similarity`, the model's, and `search` returns the `k` best hits, best first, with scores in that
 * similarity's form (higher = more alike). Ids are the store's: stable across removals, never reused.
 * `runVectorStoreContract` (`@siamese/runtime/testing`) checks an implementation.
 */
export interface VectorStore {
  /** Values per vector. */
  readonly dim: number;
  /** How vectors are compared. */
  readonly similarity: Similarity;
  /** Adds N×`dim` row-major vectors (with a text each, if given); returns their ids in order. */
  add(vectors: Float32Array, texts?: readonly string[]): Awaitable<number[]>;
  /** Removes the vectors with these ids; unknown ids are skipped. Returns how many were removed. */
  remove(ids: readonly number[]): Awaitable<number>;
  /** The `k` stored vectors most similar to `query`, best first (ties: the lower id first). */
  search(query: Float32Array, k: number, options?: VectorSearchOptions): Awaitable<SearchHit[]>;
  /** How many vectors are stored. */
  count(): Awaitable<number>;
}
