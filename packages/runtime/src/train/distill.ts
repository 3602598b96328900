import { SiameseError } from '@siamese/core';
import type { Similarity } from '@siamese/losses';
import type { MarginTriplet, TeacherText, Triplet } from '@siamese/pairs';
import { vectorSimilarity } from '../infer/vector-similarity.js';
import { SiameseModel } from '../model.js';

/**
 * A teacher for distillation: a (loaded) siamese model, or any function from texts to vectors (a remote
 * embedding API, a bigger model, a cross-encoder's features). It is called with batches of texts.
 */
export type Teacher =
  | SiameseModel
  | ((texts: string[]) => Promise<readonly ArrayLike<number>[]> | readonly ArrayLike<number>[]);

/** Options of {@link teacherVectors} and {@link teacherMargins}. */
export interface TeacherOptions {
  /** Texts per teacher call; default 256. */
  batchSize?: number;
}

async function embedAll(
  teacher: Teacher,
  texts: readonly string[],
  batchSize: number,
): Promise<ArrayLike<number>[]> {
  if (teacher instanceof SiameseModel) return teacher.embed(texts, { batchSize });
  if (typeof teacher !== 'function') {
    throw SiameseError.expected(
      'E_INVALID_ARGUMENT',
      'teacher',
      'a SiameseModel or a function (texts) => vectors',
      typeof teacher,
    );
  }
  const out: ArrayLike<number>[] = [];
  for (let s = 0; s < texts.length; s += batchSize) {
    const chunk = texts.slice(s, s + batchSize);
    const vectors = await teacher(chunk);
    if (!vectors || vectors.length !== chunk.length) {
      throw new SiameseError(
        'E_INVALID_ARGUMENT',
        `teacher: expected ${chunk.length} vectors for texts ${s}–${s + chunk.length - 1}, found ${vectors?.length ?? 'none'}`,
        { details: { start: s, expected: chunk.length, found: vectors?.length } },
      );
    }
    for (const v of vectors) out.push(v);
  }
  return out;
}

/**
 * Each text with its teacher's vector: the training data of `MSELoss` (distilling the teacher into a student
 * whose output has the teacher's dimension). Texts are embedded once, in batches.
 *
 * @example
 * ```ts
 * const data = await teacherVectors(bilstm, texts);
 * await fit(student, data, { loss: lossFromConfig({ type: 'mse' }), epochs: 5 });
 * ```
 */
export async function teacherVectors(
  teacher: Teacher,
  texts: readonly string[],
  options: TeacherOptions = {},
): Promise<TeacherText[]> {
  const vectors = await embedAll(teacher, texts, options.batchSize ?? 256);
  return texts.map((text, i) => ({ text, teacher: vectors[i]! }));
}

/**
 * Each triplet with its teacher's margin `sim(anchor, positive) − sim(anchor, negative)` under `similarity`
 * (default: the teacher model's, else `dot` as sentence-transformers' MarginMSELoss): the training data of
 * `MarginMSELoss`. Every distinct text is embedded once.
 */
export async function teacherMargins(
  teacher: Teacher,
  triplets: readonly Triplet[],
  options: TeacherOptions & { similarity?: Similarity } = {},
): Promise<MarginTriplet[]> {
  const texts = [...new Set(triplets.flatMap((t) => [t.anchor, t.positive, t.negative]))];
  const vectors = await embedAll(teacher, texts, options.batchSize ?? 256);
  const index = new Map(texts.map((t, i) => [t, vectors[i]!]));
  const similarity = options.similarity ?? (teacher instanceof SiameseModel ? teacher.similarity : 'dot');
  return triplets.map((t) => {
    const a = index.get(t.anchor)!;
    const margin =
      vectorSimilarity(a, index.get(t.positive)!, similarity) -
      vectorSimilarity(a, index.get(t.negative)!, similarity);
    return { anchor: t.anchor, positive: t.positive, negative: t.negative, margin };
  });
}
