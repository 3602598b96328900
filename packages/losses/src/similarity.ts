/**
 * How two embeddings are compared: the one vocabulary of the SDK, used by the losses (their `distance` or
 * `similarity` option), by a trained model (`model.similarity`, saved with it) and by search, matching and
 * evaluation. Each has a similarity form (higher = more alike) and a distance form (lower = more alike):
 *
 * | value       | similarity          | distance          |
 * | ----------- | ------------------- | ----------------- |
 * | `cosine`    | `cos(a, b)`         | `1 − cos(a, b)`   |
 * | `dot`       | `a·b`               | `−a·b`            |
 * | `euclidean` | `−‖a − b‖₂`         | `‖a − b‖₂`        |
 * | `manhattan` | `−‖a − b‖₁`         | `‖a − b‖₁`        |
 *
 * These are sentence-transformers' `SimilarityFunction` values.
 */
export type Similarity = 'cosine' | 'dot' | 'euclidean' | 'manhattan';

/** Every {@link Similarity}, in documentation order. */
export const SIMILARITIES: readonly Similarity[] = Object.freeze(['cosine', 'dot', 'euclidean', 'manhattan']);

/** Whether `value` names a {@link Similarity}. */
export function isSimilarity(value: unknown): value is Similarity {
  return typeof value === 'string' && (SIMILARITIES as readonly string[]).includes(value);
}
