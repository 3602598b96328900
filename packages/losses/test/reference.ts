// Straightforward float64 loop implementations of the batch-triplet losses, written from the
// sentence-transformers source (BatchHard / BatchSemiHard / BatchAll TripletLoss), to check the tensor versions.

export type Matrix = number[][];

export function distanceMatrix(x: Matrix, distance: 'euclidean' | 'cosine' | 'dot'): Matrix {
  const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i]!, 0);
  return x.map((a) =>
    x.map((b) => {
      if (distance === 'euclidean') return Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0));
      if (distance === 'dot') return -dot(a, b);
      return 1 - dot(a, b) / Math.max(Math.sqrt(dot(a, a)) * Math.sqrt(dot(b, b)), 1e-8);
    }),
  );
}

export interface RefOptions {
  distance: 'euclidean' | 'cosine' | 'dot';
  margin: number;
}

export function batchHard(
  x: Matrix,
  labels: number[],
  o: RefOptions & { softMargin?: boolean; reduction?: 'mean' | 'sum' | 'meanNonZero' },
): number {
  const d = distanceMatrix(x, o.distance);
  const n = x.length;
  let total = 0;
  let active = 0;
  for (let i = 0; i < n; i++) {
    const row = d[i]!;
    const rowMax = Math.max(...row);
    let pos = 0; // max over the masked row, masked entries are 0 (sentence-transformers)
    let neg = Number.POSITIVE_INFINITY;
    for (let j = 0; j < n; j++) {
      const same = labels[j] === labels[i];
      if (same && j !== i) pos = Math.max(pos, row[j]!);
      neg = Math.min(neg, row[j]! + (same ? rowMax : 0));
    }
    const t = o.softMargin ? Math.log1p(Math.exp(pos - neg)) : Math.max(0, pos - neg + o.margin);
    if (t > 1e-16) active++;
    total += t;
  }
  if (o.reduction === 'sum') return total;
  if (o.reduction === 'meanNonZero') return active === 0 ? 0 : total / active;
  return total / n;
}

export function batchSemiHard(
  x: Matrix,
  labels: number[],
  o: RefOptions & { reduction?: 'mean' | 'sum' },
): number {
  const d = distanceMatrix(x, o.distance);
  const n = x.length;
  let total = 0;
  let pairs = 0;
  for (let i = 0; i < n; i++) {
    const negatives = [...Array(n).keys()].filter((j) => labels[j] !== labels[i]).map((j) => d[i]![j]!);
    // No negative at all: TF-Addons' masked maximum falls back to the row minimum.
    const farthest = negatives.length > 0 ? Math.max(...negatives) : Math.min(...d[i]!);
    for (let k = 0; k < n; k++) {
      if (k === i || labels[k] !== labels[i]) continue;
      pairs++;
      const outside = negatives.filter((v) => v > d[i]![k]!);
      const neg = outside.length > 0 ? Math.min(...outside) : farthest;
      total += Math.max(0, d[i]![k]! - neg + o.margin);
    }
  }
  if (o.reduction === 'sum') return total;
  return pairs === 0 ? 0 : total / pairs;
}

export function batchAll(
  x: Matrix,
  labels: number[],
  o: RefOptions & { reduction: 'meanNonZero' | 'mean' | 'sum' },
): number {
  const d = distanceMatrix(x, o.distance);
  const n = x.length;
  let total = 0;
  let valid = 0;
  let active = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++)
      for (let k = 0; k < n; k++) {
        if (i === j || labels[i] !== labels[j] || labels[k] === labels[i]) continue;
        valid++;
        const t = Math.max(0, d[i]![j]! - d[i]![k]! + o.margin);
        if (t > 1e-16) active++;
        total += t;
      }
  if (o.reduction === 'sum') return total;
  if (o.reduction === 'mean') return valid === 0 ? 0 : total / valid;
  return active === 0 ? 0 : total / active;
}

/** Central finite differences of `f` at `x` (float64). */
export function numericGradient(f: (x: Matrix) => number, x: Matrix, h = 1e-6): Matrix {
  return x.map((row, i) =>
    row.map((_, j) => {
      const plus = x.map((r) => [...r]);
      const minus = x.map((r) => [...r]);
      plus[i]![j]! += h;
      minus[i]![j]! -= h;
      return (f(plus) - f(minus)) / (2 * h);
    }),
  );
}

export function cosine(a: number[], b: number[]): number {
  const dot = a.reduce((s, v, i) => s + v * b[i]!, 0);
  const na = Math.sqrt(a.reduce((s, v) => s + v * v, 0));
  const nb = Math.sqrt(b.reduce((s, v) => s + v * v, 0));
  return dot / Math.max(na * nb, 1e-8);
}

const logSumExp = (xs: number[]) => {
  const m = Math.max(...xs);
  return m + Math.log(xs.reduce((s, x) => s + Math.exp(x - m), 0));
};

/** MultipleNegativesRankingLoss (optionally symmetric), cosine similarity. */
export function mnrl(
  anchor: Matrix,
  positive: Matrix,
  negative: Matrix,
  scale: number,
  symmetric: boolean,
): number {
  const candidates = [...positive, ...negative];
  const s = anchor.map((a) => candidates.map((c) => scale * cosine(a, c)));
  const n = anchor.length;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const forward = logSumExp(s[i]!) - s[i]![i]!;
    if (!symmetric) total += forward;
    else total += (forward + logSumExp(s.map((row) => row[i]!)) - s[i]![i]!) / 2;
  }
  return total / n;
}

/** CoSENTLoss, cosine similarity. */
export function cosent(a: Matrix, b: Matrix, scores: number[], scale: number): number {
  const c = a.map((x, i) => scale * cosine(x, b[i]!));
  const terms = [0];
  for (let i = 0; i < c.length; i++)
    for (let j = 0; j < c.length; j++) if (scores[i]! < scores[j]!) terms.push(c[i]! - c[j]!);
  return logSumExp(terms);
}
