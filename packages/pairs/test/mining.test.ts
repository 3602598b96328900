import { describe, expect, it } from 'vitest';
import { batchAllTriplets, batchHardTriplets, hardNegatives, semiHardTriplets } from '../src/index.js';

// 4 items, labels [0, 0, 1, 1]; symmetric distances.
//        0    1    2    3
const D = new Float32Array([
  0,
  0.5,
  0.3,
  0.9, // 0
  0.5,
  0,
  0.8,
  0.6, // 1
  0.3,
  0.8,
  0,
  0.2, // 2
  0.9,
  0.6,
  0.2,
  0, // 3
]);
const L = new Int32Array([0, 0, 1, 1]);
const arr = (t: { anchor: Int32Array; positive: Int32Array; negative: Int32Array }) => ({
  anchor: [...t.anchor],
  positive: [...t.positive],
  negative: [...t.negative],
});

describe('online mining', () => {
  it('batch-hard: farthest positive, closest negative', () => {
    expect(arr(batchHardTriplets(D, L))).toEqual({
      anchor: [0, 1, 2, 3],
      positive: [1, 0, 3, 2],
      negative: [2, 3, 0, 1],
    });
  });

  it('semi-hard: d(a,p) < d(a,n) < d(a,p) + margin, closest such negative', () => {
    // a=0,p=1 (0.5): negatives 0.3, 0.9 → none in (0.5, 0.7). a=1,p=0 (0.5): 0.8, 0.6 → 3.
    // a=2,p=3 (0.2): 0.3, 0.8 → 0. a=3,p=2 (0.2): 0.9, 0.6 → none.
    expect(arr(semiHardTriplets(D, L, 0.2))).toEqual({ anchor: [1, 2], positive: [0, 3], negative: [3, 0] });
    expect(() => semiHardTriplets(D, L, 0)).toThrow(/margin/);
  });

  it('semi-hard: both window ends are open, the closest negative wins, positives are never negatives', () => {
    // 7 items, labels [0, 0, 0, 1, 1, 1, 1]; only row 0 has distances inside a window (all others are 2, so
    // no negative is strictly farther than a positive there). Dyadic values: d(a,p) + margin is exact.
    const L7 = new Int32Array([0, 0, 0, 1, 1, 1, 1]);
    const D7 = new Float32Array(49).fill(2);
    for (let i = 0; i < 7; i++) D7[i * 7 + i] = 0;
    //                 self  p:0.5 p:0.5625  n:=d(a,p)  n:=d(a,p)+m  n:in   n:in, closest, last
    D7.set([0, 0.5, 0.5625, 0.5, 0.75, 0.625, 0.59375], 0);
    // (0, 1): window (0.5, 0.75): 3 and 4 sit on its ends (out); 5 and 6 are in; 6 is closer though later.
    // Item 2 (0.5625) is closer still, but it is a positive. (0, 2): window (0.5625, 0.8125): 4, 5, 6 → 6.
    expect(arr(semiHardTriplets(D7, L7, 0.25))).toEqual({
      anchor: [0, 0],
      positive: [1, 2],
      negative: [6, 6],
    });
    // The closest negative first: a later tie (5) or a farther one (4) does not replace it.
    D7.set([0, 0.5, 0.5625, 0.59375, 0.75, 0.59375, 0.5], 0);
    expect(arr(semiHardTriplets(D7, L7, 0.25))).toEqual({
      anchor: [0, 0],
      positive: [1, 2],
      negative: [3, 3],
    });
  });

  it('batch-all: every valid triplet, or only those with positive loss', () => {
    const all = arr(batchAllTriplets(D, L));
    expect(all.anchor.length).toBe(8);
    expect(all).toEqual({
      anchor: [0, 0, 1, 1, 2, 2, 3, 3],
      positive: [1, 1, 0, 0, 3, 3, 2, 2],
      negative: [2, 3, 2, 3, 0, 1, 0, 1],
    });
    // loss = d(a,p) − d(a,n) + 0.15 > 0 (no value within 0.05 of 0, so float rounding cannot flip one):
    // (0,1,2) 0.35 ✓, (0,1,3) −0.25, (1,0,2) −0.15, (1,0,3) 0.05 ✓, (2,3,0) 0.05 ✓, (2,3,1) −0.45,
    // (3,2,0) −0.55, (3,2,1) −0.25.
    expect(arr(batchAllTriplets(D, L, 0.15))).toEqual({
      anchor: [0, 1, 2],
      positive: [1, 0, 3],
      negative: [2, 3, 0],
    });
    // A margin larger than every gap keeps all 8; a negative one keeps only (0,1,2) (0.2 − 0.05 > 0).
    expect(arr(batchAllTriplets(D, L, 1)).anchor).toHaveLength(8);
    expect(arr(batchAllTriplets(D, L, -0.05))).toEqual({ anchor: [0], positive: [1], negative: [2] });
  });

  it('hard negatives with labels and for in-batch pairs (diagonal matches)', () => {
    const h = hardNegatives(D, L);
    expect([...h.anchor]).toEqual([0, 1, 2, 3]);
    expect([...h.negative]).toEqual([2, 3, 0, 1]);
    expect([...h.distance]).toEqual([D[2], D[7], D[8], D[13]]);
    const diag = hardNegatives(D);
    expect([...diag.negative]).toEqual([2, 0, 3, 2]);
  });

  it('ties go to the lowest index (hard negatives, batch-hard)', () => {
    // Row 0: negatives 2 and 3 tie at 0.25 (and 1, the positive, sits at 0.5).
    const T = new Float32Array([
      0, 0.5, 0.25, 0.25, 0.5, 0, 0.75, 0.75, 0.25, 0.75, 0, 0.5, 0.25, 0.75, 0.5, 0,
    ]);
    expect([...hardNegatives(T, L).negative]).toEqual([2, 2, 0, 0]);
    expect([...hardNegatives(T).negative]).toEqual([2, 0, 0, 0]);
    expect(arr(batchHardTriplets(T, L)).negative).toEqual([2, 2, 0, 0]);
  });

  it('anchors without positives or negatives are skipped; sizes are checked', () => {
    const single = batchHardTriplets(new Float32Array([0, 1, 1, 0]), new Int32Array([0, 1]));
    expect(single.anchor.length).toBe(0);
    expect(() => batchHardTriplets(new Float32Array(5), new Int32Array(2))).toThrow(
      /expected 2×2 = 4 values/,
    );
    expect(() => batchHardTriplets([0] as never, new Int32Array(1))).toThrow(TypeError);
  });
});
