/**
 * Keeps the k largest (index, score) pairs in a min-heap. Ties go to the lower index, whatever the push order:
 * the heap's root is the worst entry (lowest score; among equal scores, the highest index). `0` and `-0` tie.
 */
export class TopK {
  private readonly idx: Int32Array;
  private readonly val: Float64Array;
  private n = 0;

  constructor(private readonly k: number) {
    this.idx = new Int32Array(Math.max(k, 0));
    this.val = new Float64Array(Math.max(k, 0));
  }

  /** True when entry (i1, s1) ranks below (i2, s2). */
  private static below(i1: number, s1: number, i2: number, s2: number): boolean {
    return s1 < s2 || (s1 === s2 && i1 > i2);
  }

  push(index: number, score: number): void {
    if (this.k === 0) return;
    const { idx, val } = this;
    if (this.n < this.k) {
      let i = this.n++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!TopK.below(index, score, idx[p]!, val[p]!)) break;
        idx[i] = idx[p]!;
        val[i] = val[p]!;
        i = p;
      }
      idx[i] = index;
      val[i] = score;
      return;
    }
    if (!TopK.below(idx[0]!, val[0]!, index, score)) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= this.n) break;
      const r = l + 1;
      const c = r < this.n && TopK.below(idx[r]!, val[r]!, idx[l]!, val[l]!) ? r : l;
      if (!TopK.below(idx[c]!, val[c]!, index, score)) break;
      idx[i] = idx[c]!;
      val[i] = val[c]!;
      i = c;
    }
    idx[i] = index;
    val[i] = score;
  }

  /** Best first; ties broken by the lower index. */
  sorted(): [number, number][] {
    const out: [number, number][] = [];
    for (let i = 0; i < this.n; i++) out.push([this.idx[i]!, this.val[i]!]);
    return out.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  }
}
