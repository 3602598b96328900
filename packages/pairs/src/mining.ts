import { SiameseError } from '@siamese/core';

/** Selected triplets as parallel index arrays into the batch. */
export interface TripletIndices {
  anchor: Int32Array;
  positive: Int32Array;
  negative: Int32Array;
}

/** For each anchor, its hardest negative and their distance. */
export interface HardNegatives {
  anchor: Int32Array;
  negative: Int32Array;
  distance: Float32Array;
}

/**
 * Checks a B×B row-major distance matrix against B labels and returns B. `labels` omitted means "item i only
 * matches itself" (the diagonal of an anchors × candidates matrix of in-batch pairs).
 */
function batchSize(dist: Float32Array, labels: Int32Array | undefined): number {
  if (!(dist instanceof Float32Array)) throw new TypeError('distances: expected a Float32Array');
  if (labels !== undefined && !(labels instanceof Int32Array))
    throw new TypeError('labels: expected an Int32Array');
  const b = labels ? labels.length : Math.round(Math.sqrt(dist.length));
  if (dist.length !== b * b) {
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      `distances: expected ${b}×${b} = ${b * b} values for ${b} labels, found ${dist.length}`,
    );
  }
  return b;
}

/**
 * Batch-hard mining (Hermans et al. 2017): for each anchor with at least one positive and one negative, the
 * farthest positive and the closest negative. Ties go to the lowest index.
 */
export function batchHardTriplets(distances: Float32Array, labels: Int32Array): TripletIndices {
  const b = batchSize(distances, labels);
  const out = new TripletList();
  for (let i = 0; i < b; i++) {
    let hp = -1;
    let hn = -1;
    for (let j = 0; j < b; j++) {
      if (j === i) continue;
      const d = distances[i * b + j]!;
      if (labels[j] === labels[i]) {
        if (hp === -1 || d > distances[i * b + hp]!) hp = j;
      } else if (hn === -1 || d < distances[i * b + hn]!) {
        hn = j;
      }
    }
    if (hp !== -1 && hn !== -1) out.push(i, hp, hn);
  }
  return out.pack();
}

/**
 * Semi-hard mining (FaceNet): for each positive pair (a, p), the closest negative that is farther than the
 * positive but within the margin: `d(a,p) < d(a,n) < d(a,p) + margin`. Pairs without such a negative are left
 * out. Order: by anchor, then positive index.
 */
export function semiHardTriplets(
  distances: Float32Array,
  labels: Int32Array,
  margin: number,
): TripletIndices {
  const b = batchSize(distances, labels);
  if (!(margin > 0))
    throw new SiameseError('E_INVALID_ARGUMENT', `margin: expected a positive number, found ${margin}`);
  const out = new TripletList();
  forEachPositive(distances, labels, b, (i, j, dp) => {
    let best = -1;
    for (let k = 0; k < b; k++) {
      if (labels[k] === labels[i]) continue;
      const dn = distances[i * b + k]!;
      if (dn > dp && dn < dp + margin && (best === -1 || dn < distances[i * b + best]!)) best = k;
    }
    if (best !== -1) out.push(i, j, best);
  });
  return out.pack();
}

/**
 * Batch-all: every valid triplet (a, p, n) with `labels[a] = labels[p] ≠ labels[n]`, a ≠ p. With `margin`, only
 * the triplets with a positive loss (`d(a,p) − d(a,n) + margin > 0`). Order: anchor, positive, negative.
 */
export function batchAllTriplets(
  distances: Float32Array,
  labels: Int32Array,
  margin?: number,
): TripletIndices {
  const b = batchSize(distances, labels);
  const out = new TripletList();
  forEachPositive(distances, labels, b, (i, j, dp) => {
    for (let k = 0; k < b; k++) {
      if (labels[k] === labels[i]) continue;
      if (margin !== undefined && !(dp - distances[i * b + k]! + margin > 0)) continue;
      out.push(i, j, k);
    }
  });
  return out.pack();
}

/**
 * Hard negatives for pairs: for each row (anchor) the closest column whose label differs. Without `labels`,
 * the matrix is anchors × candidates of in-batch pairs and only the diagonal matches. Anchors with no
 * non-matching item are left out; ties go to the lowest index.
 */
export function hardNegatives(distances: Float32Array, labels?: Int32Array): HardNegatives {
  const b = batchSize(distances, labels);
  const a: number[] = [];
  const n: number[] = [];
  const d: number[] = [];
  for (let i = 0; i < b; i++) {
    let best = -1;
    for (let j = 0; j < b; j++) {
      const same = labels ? labels[j] === labels[i] : j === i;
      if (same) continue;
      if (best === -1 || distances[i * b + j]! < distances[i * b + best]!) best = j;
    }
    if (best !== -1) {
      a.push(i);
      n.push(best);
      d.push(distances[i * b + best]!);
    }
  }
  return { anchor: Int32Array.from(a), negative: Int32Array.from(n), distance: Float32Array.from(d) };
}

/** Calls `fn(anchor, positive, d(anchor, positive))` for every positive pair, by anchor then positive index. */
function forEachPositive(
  distances: Float32Array,
  labels: Int32Array,
  b: number,
  fn: (i: number, j: number, dp: number) => void,
): void {
  for (let i = 0; i < b; i++) {
    for (let j = 0; j < b; j++) {
      if (j !== i && labels[j] === labels[i]) fn(i, j, distances[i * b + j]!);
    }
  }
}

/** Triplets collected in order, packed into typed arrays at the end. */
class TripletList {
  private readonly a: number[] = [];
  private readonly p: number[] = [];
  private readonly n: number[] = [];

  push(anchor: number, positive: number, negative: number): void {
    this.a.push(anchor);
    this.p.push(positive);
    this.n.push(negative);
  }

  pack(): TripletIndices {
    return {
      anchor: Int32Array.from(this.a),
      positive: Int32Array.from(this.p),
      negative: Int32Array.from(this.n),
    };
  }
}
