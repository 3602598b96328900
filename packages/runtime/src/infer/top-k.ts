/** Keeps the k largest (index, score) pairs in a min-heap. */
export class TopK {
  private readonly idx: Int32Array;
  private readonly val: Float64Array;
  private n = 0;

  constructor(private readonly k: number) {
    this.idx = new Int32Array(Math.max(k, 0));
    this.val = new Float64Array(Math.max(k, 0));
  }

  push(index: number, score: number): void {
    if (this.k === 0) return;
    if (this.n < this.k) {
      let i = this.n++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (this.val[p]! <= score) break;
        this.idx[i] = this.idx[p]!;
        this.val[i] = this.val[p]!;
        i = p;
      }
      this.idx[i] = index;
      this.val[i] = score;
      return;
    }
    if (score <= this.val[0]!) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= this.n) break;
      const r = l + 1;
      const c = r < this.n && this.val[r]! < this.val[l]! ? r : l;
      if (this.val[c]! >= score) break;
      this.idx[i] = this.idx[c]!;
      this.val[i] = this.val[c]!;
      i = c;
    }
    this.idx[i] = index;
    this.val[i] = score;
  }

  /** Best first; ties broken by the lower index. */
  sorted(): [number, number][] {
    const out: [number, number][] = [];
    for (let i = 0; i < this.n; i++) out.push([this.idx[i]!, this.val[i]!]);
    return out.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  }
}
