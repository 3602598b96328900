import { SiameseError } from '@siamese/core';
import type { Tensor } from '@tensorflow/tfjs-core';
import type { BatchKind, LossBatch } from './types.js';

/** The fields each batch kind requires (`anchor-positive` may also carry `negative`). */
const REQUIRED = {
  'scored-pairs': ['a', 'b', 'scores'],
  'labelled-pairs': ['a', 'b', 'labels'],
  'class-pairs': ['a', 'b', 'labels'],
  triplets: ['anchor', 'positive', 'negative'],
  'labelled-embeddings': ['embeddings', 'labels'],
  'anchor-positive': ['anchor', 'positive'],
  'teacher-vectors': ['embeddings', 'teacher'],
  'teacher-margins': ['anchor', 'positive', 'negative', 'margins'],
} as const satisfies Record<BatchKind, readonly (keyof LossBatch)[]>;

/** A batch whose required fields for kind `K` are known to be present and consistently shaped. */
export type CheckedBatch<K extends BatchKind> = LossBatch & {
  [F in (typeof REQUIRED)[K][number]]-?: NonNullable<LossBatch[F]>;
};

const MATRICES = ['a', 'b', 'anchor', 'positive', 'negative', 'embeddings', 'teacher'] as const;
const VECTORS = ['scores', 'labels', 'margins'] as const;

/** The required fields of a batch kind, in order (for error messages and docs). */
export function requiredFields(kind: BatchKind): readonly (keyof LossBatch)[] {
  return REQUIRED[kind];
}

/**
 * Checks that `batch` has every tensor `kind` needs, that embeddings are `[B, D]` with one B and one D, and
 * that per-example vectors are `[B]`. Throws `E_LOSS_BATCH` naming the loss, what is missing and what was
 * given. The negatives of an `anchor-positive` batch may have any number of rows.
 */
export function checkBatch<K extends BatchKind>(loss: string, kind: K, batch: LossBatch): CheckedBatch<K> {
  if (batch === null || typeof batch !== 'object') {
    throw new SiameseError(
      'E_LOSS_BATCH',
      `${loss}: expected a batch object, found ${batch === null ? 'null' : typeof batch}`,
    );
  }
  const required: readonly (keyof LossBatch)[] = REQUIRED[kind];
  const given = (Object.keys(batch) as (keyof LossBatch)[]).filter((k) => batch[k] != null);
  const missing = required.filter((k) => batch[k] == null);
  if (missing.length > 0) {
    throw new SiameseError(
      'E_LOSS_BATCH',
      `${loss}: a '${kind}' batch needs ${required.join(', ')}; missing ${missing.join(', ')} ` +
        `(given: ${given.length > 0 ? given.join(', ') : 'nothing'})`,
      { details: { loss, kind, missing, given } },
    );
  }
  const shapeError = (what: string, expected: string, t: Tensor) =>
    new SiameseError(
      'E_LOSS_BATCH',
      `${loss}: ${what} must be ${expected}, found shape [${t.shape.join(', ')}]`,
      {
        details: {
          loss,
          field: what,
          expected,
          found: t.shape,
        },
      },
    );
  const rows = batch[required[0] as 'a']!.shape[0];
  const dim = batch[required[0] as 'a']!.shape[1];
  if (rows === 0)
    throw new SiameseError('E_LOSS_BATCH', `${loss}: the batch is empty (0 rows)`, { details: { loss } });
  for (const f of MATRICES) {
    const t = batch[f];
    if (t == null || (!required.includes(f) && !(kind === 'anchor-positive' && f === 'negative'))) continue;
    if (t.rank !== 2) throw shapeError(f, '[B, D]', t);
    const freeRows = f === 'negative' && kind === 'anchor-positive';
    if (!freeRows && t.shape[0] !== rows) throw shapeError(f, `[${rows}, ${dim}] (B from ${required[0]})`, t);
    if (t.shape[1] !== dim)
      throw shapeError(f, `[${freeRows ? 'N' : rows}, ${dim}] (D from ${required[0]})`, t);
  }
  for (const f of VECTORS) {
    const t = batch[f];
    if (t == null || !required.includes(f)) continue;
    if (t.rank !== 1 || t.shape[0] !== rows) throw shapeError(f, `[${rows}] (one per row)`, t);
  }
  return batch as CheckedBatch<K>;
}
