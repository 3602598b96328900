import { SiameseError } from '@siamese/core';

/** Binary-classification quality of similarity scores at the best threshold. */
export interface BinaryMetrics {
  /** Accuracy at `accuracyThreshold`. */
  accuracy: number;
  accuracyThreshold: number;
  /** F1 of the positive class at `threshold` (the F1-optimal threshold), with its precision and recall. */
  f1: number;
  precision: number;
  recall: number;
  threshold: number;
  /** Average precision (area under the precision–recall curve, as sklearn's average_precision_score). */
  ap: number;
  n: number;
}

/**
 * Finds the thresholds that maximise accuracy and F1 for "similar if score ≥ threshold", as
 * sentence-transformers' BinaryClassificationEvaluator does (threshold halfway between neighbouring scores).
 */
export function binaryMetrics(scores: ArrayLike<number>, labels: ArrayLike<number>): BinaryMetrics {
  const n = scores.length;
  if (n !== labels.length) {
    throw new SiameseError('E_INVALID_ARGUMENT', `binaryMetrics: ${n} scores but ${labels.length} labels`);
  }
  if (n === 0)
    throw new SiameseError('E_INVALID_ARGUMENT', 'binaryMetrics: expected at least one pair, found none');
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  const totalPos = Array.from(labels).reduce((s, l) => s + (l > 0.5 ? 1 : 0), 0);

  // Walk thresholds from high to low: everything above is predicted positive.
  let tp = 0;
  let fp = 0;
  let bestAcc = (n - totalPos) / n; // threshold above every score: all negative
  let bestAccThr = scores[order[0]!]! + 1e-6;
  let bestF1 = 0;
  let bestF1Thr = bestAccThr;
  let bestP = 0;
  let bestR = 0;
  let ap = 0;
  let prevRecall = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    if (labels[i]! > 0.5) tp++;
    else fp++;
    // Only evaluate between distinct scores.
    const next = k + 1 < n ? scores[order[k + 1]!]! : Number.NEGATIVE_INFINITY;
    if (next === scores[i]) continue;
    const thr = next === Number.NEGATIVE_INFINITY ? scores[i]! - 1e-6 : (scores[i]! + next) / 2;
    const tn = n - totalPos - fp;
    const acc = (tp + tn) / n;
    if (acc > bestAcc) {
      bestAcc = acc;
      bestAccThr = thr;
    }
    const precision = tp / (tp + fp);
    const recall = totalPos === 0 ? 0 : tp / totalPos;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    if (f1 > bestF1) {
      bestF1 = f1;
      bestF1Thr = thr;
      bestP = precision;
      bestR = recall;
    }
    ap += (recall - prevRecall) * precision;
    prevRecall = recall;
  }
  return {
    accuracy: bestAcc,
    accuracyThreshold: bestAccThr,
    f1: bestF1,
    precision: bestP,
    recall: bestR,
    threshold: bestF1Thr,
    ap: totalPos === 0 ? Number.NaN : ap,
    n,
  };
}
