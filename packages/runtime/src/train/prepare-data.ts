import { Rng, SiameseError } from '@siamese/core';
import type { BatchKind } from '@siamese/losses';
import type { LabelledText, MarginTriplet, TeacherText, TextPair, Triplet } from '@siamese/pairs';

/**
 * One training example: a pair (scored, labelled, or both), a triplet, a class-labelled text, or for
 * distillation a text with its teacher's vector or a triplet with its teacher's margin.
 */
export type TrainExample = TextPair | Triplet | LabelledText | TeacherText | MarginTriplet;

/**
 * Training pairs too many to hold in memory (a file of millions of rows), read a batch at a time: `fit` draws each
 * batch's indices exactly as it does for an array (the same seeded sampler), then asks for those examples, so a
 * source gives the same weights as the array of its examples. Only losses that score each pair on its own
 * (`scored-pairs`, `labelled-pairs`) can be fed this way; in-batch and triplet losses sample from the whole set.
 */
export interface ExampleSource {
  /** How many examples there are (indices `0 … size-1`). */
  readonly size: number;
  /** Identifies the data, for checkpoints: another file, or the same file changed, must give another string. */
  readonly fingerprint: string;
  /** The examples at `indices`, in that order. */
  read(indices: readonly number[]): Promise<TextPair[]> | TextPair[];
}

/** Whether `train` is an {@link ExampleSource} (as opposed to an array of examples). */
export function isExampleSource(train: unknown): train is ExampleSource {
  return (
    typeof train === 'object' &&
    train !== null &&
    !Array.isArray(train) &&
    typeof (train as ExampleSource).read === 'function'
  );
}

/** The batch kinds a source can feed: each example's loss term needs only that example. */
export const STREAMABLE_KINDS: readonly BatchKind[] = ['scored-pairs', 'labelled-pairs', 'class-pairs'];

/** Examples turned into what a loss's batch kind needs: the texts of each slot, and the targets. */
export interface PreparedExamples {
  kind: BatchKind;
  /** Texts per slot, aligned: pairs → [a, b]; triplets → [anchor, positive, negative]; labelled → [text]. */
  slots: string[][];
  /** Scores (scored pairs), labels (binary pairs), class ids (labelled embeddings, class pairs) or teacher margins. */
  targets?: Float32Array | Int32Array;
  /** The teacher's vectors, row-major `[count, dim]` (distillation). */
  teacher?: { dim: number; data: Float32Array };
  /** How many examples were derived (e.g. positives picked from scored pairs). */
  count: number;
  /** What was done to fit the data to the loss, for the training log. */
  note?: string;
}

/** Score (already in [0,1]) at or above which a scored pair counts as a positive when a loss needs positives. */
export const POSITIVE_SCORE = 0.8;

const invalid = (message: string, details?: Record<string, unknown>) =>
  new SiameseError('E_INVALID_ARGUMENT', message, details ? { details } : {});

function isPair(e: TrainExample): e is TextPair {
  return typeof (e as { text1?: unknown }).text1 === 'string';
}

/**
 * Adapts examples to a loss's batch kind. Scored pairs feed `scored-pairs` losses directly; binary losses use
 * `label` (or score ≥ 0.5); positives-only losses (MNRL) keep pairs with label 1 / score ≥ 0.8; triplet losses
 * take those positives and draw a seeded random negative from other pairs.
 */
export function prepareExamples(
  examples: readonly TrainExample[],
  kind: BatchKind,
  seed: number,
): PreparedExamples {
  if (!examples.length) throw invalid('fit: expected training examples, found none');
  const first = examples[0]!;
  if ('teacher' in first) return fromTeacherTexts(examples as readonly TeacherText[], kind);
  if ('anchor' in first && kind === 'teacher-margins')
    return fromMarginTriplets(examples as readonly MarginTriplet[]);
  if ('anchor' in first) return fromTriplets(examples as readonly Triplet[], kind);
  if (!isPair(first)) return fromLabelledTexts(examples as readonly LabelledText[], kind);
  return fromPairs(examples as readonly TextPair[], kind, seed);
}

function fromTriplets(rows: readonly Triplet[], kind: BatchKind): PreparedExamples {
  if (kind !== 'triplets' && kind !== 'anchor-positive') {
    throw invalid(`fit: triplet examples need a triplet or in-batch loss, the loss needs '${kind}'`);
  }
  // MNRL uses the third slot as its hard negatives.
  return {
    kind,
    slots: [rows.map((r) => r.anchor), rows.map((r) => r.positive), rows.map((r) => r.negative)],
    count: rows.length,
  };
}

function fromTeacherTexts(rows: readonly TeacherText[], kind: BatchKind): PreparedExamples {
  if (kind !== 'teacher-vectors')
    throw invalid(`fit: {text, teacher} examples need a distillation loss (mse), the loss needs '${kind}'`);
  const dim = rows[0]!.teacher?.length ?? 0;
  const data = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => {
    const v = r.teacher;
    if (v?.length !== dim) {
      throw invalid(
        `fit: example ${i}'s teacher vector has ${v?.length ?? 'no'} dimensions, expected ${dim}`,
        {
          index: i,
        },
      );
    }
    for (let j = 0; j < dim; j++) {
      const x = v[j]!;
      if (!Number.isFinite(x))
        throw invalid(`fit: example ${i}'s teacher vector holds ${x} at ${j}`, { index: i });
      data[i * dim + j] = x;
    }
  });
  return { kind, slots: [rows.map((r) => r.text)], teacher: { dim, data }, count: rows.length };
}

function fromMarginTriplets(rows: readonly MarginTriplet[]): PreparedExamples {
  const targets = Float32Array.from(rows, (r, i) => {
    if (typeof r.margin !== 'number' || !Number.isFinite(r.margin))
      throw invalid(`fit: example ${i} has no finite teacher margin`, { index: i });
    return r.margin;
  });
  return {
    kind: 'teacher-margins',
    slots: [rows.map((r) => r.anchor), rows.map((r) => r.positive), rows.map((r) => r.negative)],
    targets,
    count: rows.length,
  };
}

function fromLabelledTexts(rows: readonly LabelledText[], kind: BatchKind): PreparedExamples {
  if (kind !== 'labelled-embeddings')
    throw invalid(`fit: {text, label} examples need a batch-mining loss, the loss needs '${kind}'`);
  const ids = new Map<string, number>();
  const targets = Int32Array.from(rows, (r) => {
    const key = String(r.label);
    if (!ids.has(key)) ids.set(key, ids.size);
    return ids.get(key)!;
  });
  return { kind, slots: [rows.map((r) => r.text)], targets, count: rows.length };
}

function fromPairs(pairs: readonly TextPair[], kind: BatchKind, seed: number): PreparedExamples {
  const targetOf = (p: TextPair, i: number): number => {
    const v = p.score ?? p.label;
    if (v === undefined || !Number.isFinite(v)) {
      throw invalid(`fit: example ${i} has no numeric score or label`, { index: i });
    }
    return v;
  };
  const both = [pairs.map((p) => p.text1), pairs.map((p) => p.text2)];
  switch (kind) {
    case 'scored-pairs':
      return { kind, slots: both, targets: Float32Array.from(pairs, targetOf), count: pairs.length };
    case 'labelled-pairs': {
      const targets = Float32Array.from(pairs, (p, i) =>
        (p.label ?? (targetOf(p, i) >= 0.5 ? 1 : 0)) > 0.5 ? 1 : 0,
      );
      return {
        kind,
        slots: both,
        targets,
        count: pairs.length,
        ...(pairs[0]!.label === undefined ? { note: 'labels from scores ≥ 0.5' } : {}),
      };
    }
    case 'class-pairs':
      return { kind, slots: both, targets: Int32Array.from(pairs, classOf), count: pairs.length };
    case 'anchor-positive':
    case 'triplets':
      return positivesOf(pairs, kind, seed, targetOf);
    default:
      throw invalid(`fit: pair examples cannot feed a '${kind}' loss; give {text, label} examples`);
  }
}

/** A pair's class id for a classification loss: its `label`, a whole number ≥ 0 (NLI: 0, 1, 2). */
function classOf(p: TextPair, i: number): number {
  const v = p.label;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0x7fffffff) {
    throw invalid(
      `fit: example ${i} needs a class label, a whole number ≥ 0 (0, 1, 2 for NLI), found ${v === undefined ? 'none' : String(v)}`,
      { index: i, label: v },
    );
  }
  return v;
}

function positivesOf(
  pairs: readonly TextPair[],
  kind: 'anchor-positive' | 'triplets',
  seed: number,
  targetOf: (p: TextPair, i: number) => number,
): PreparedExamples {
  const positives = pairs.filter((p, i) => (p.label ?? (targetOf(p, i) >= POSITIVE_SCORE ? 1 : 0)) > 0.5);
  if (!positives.length)
    throw invalid(
      `fit: the '${kind}' loss needs positive pairs (label 1 or score ≥ ${POSITIVE_SCORE}), found none`,
    );
  const anchors = positives.map((p) => p.text1);
  const pos = positives.map((p) => p.text2);
  const note = `${positives.length} positive pairs (label 1 / score ≥ ${POSITIVE_SCORE}) of ${pairs.length}`;
  if (kind === 'anchor-positive') return { kind, slots: [anchors, pos], count: positives.length, note };
  const rng = new Rng(seed ^ 0x5eed);
  const pool = pairs.map((p) => p.text2);
  const neg = positives.map((p) => {
    for (let tries = 0; tries < 10; tries++) {
      const c = pool[rng.int(pool.length)]!;
      if (c !== p.text2 && c !== p.text1) return c;
    }
    return pool[rng.int(pool.length)]!;
  });
  return { kind, slots: [anchors, pos, neg], count: positives.length, note: `${note}, random negatives` };
}
