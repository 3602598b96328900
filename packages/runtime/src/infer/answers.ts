import type { SearchHit } from './vector-index.js';

/** Answer of `match()`: the best reference if it clears the threshold, else `null` ("no match"). */
export interface MatchResult {
  match: SearchHit | null;
  /** The best candidate, even when below the threshold. */
  best: SearchHit | null;
  threshold: number;
}

/** A labelled example for few-shot classification. */
export interface LabelledExample {
  text: string;
  label: string;
}

/** Answer of `classify()`: the winning label and the score of every label. */
export interface ClassifyResult {
  label: string;
  score: number;
  /** Per label: the mean similarity of its top-k examples to the text. */
  scores: Record<string, number>;
}
