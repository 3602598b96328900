/**
 * The SDK's record types, declared once: readers produce them, `fit` trains on them, `evaluate` measures with
 * them, and the CLI and apps pass them around.
 *
 * @module
 */

/** Two texts, with a graded score and/or a binary label when the data has them. */
export interface TextPair {
  text1: string;
  text2: string;
  /** Graded similarity (e.g. STS-B 0–5; any range: correlations only use the order). */
  score?: number;
  /** Binary label: 1 similar (a paraphrase, a duplicate), 0 not. */
  label?: number;
}

/** A pair with a graded similarity score: what correlation metrics (Pearson, Spearman) and CoSENT need. */
export interface ScoredPair extends TextPair {
  score: number;
}

/** A pair with a binary label (1 similar, 0 not): what accuracy/F1/AP and contrastive losses need. */
export interface LabelledPair extends TextPair {
  label: number;
}

/** `anchor` should be closer to `positive` than to `negative`. */
export interface Triplet {
  anchor: string;
  positive: string;
  negative: string;
}

/** A text with a class label (an intent, a product category, a paraphrase-cluster id). */
export interface LabelledText {
  text: string;
  label: number | string;
}

/** A text with a teacher's vector of it: what distillation into a student (`MSELoss`) trains on. */
export interface TeacherText {
  text: string;
  /** The teacher's embedding of `text` (the student's dimension). */
  teacher: ArrayLike<number>;
}

/** A triplet with the teacher's margin `sim(anchor, positive) − sim(anchor, negative)` (`MarginMSELoss`). */
export interface MarginTriplet extends Triplet {
  margin: number;
}
