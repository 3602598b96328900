/**
 * How replicas exchange gradients in one flat float32 buffer (shared memory, or a transferred copy): every
 * variable has a fixed region. Dense variables fill theirs; embedding-sized tables ({@link SPARSE_MIN_ROWS} rows
 * or more) write only the rows their shard touched (`count, row ids…, rows…`), so a step over 64 pairs moves a
 * few hundred rows of a 20k-row table, not all of it.
 *
 * The sum is taken in a fixed order (shard 0, 1, …) in float32, so the same shards give the same bits.
 *
 * @module
 */

/** Tables with at least this many rows exchange touched rows only. */
export const SPARSE_MIN_ROWS = 512;

/** Where one variable's gradient lives in the exchange buffer. */
export interface VariableSlot {
  shape: number[];
  rows: number;
  cols: number;
  sparse: boolean;
  offset: number;
  /** Floats reserved: the size (dense), or 1 + rows + rows·cols (sparse: count, row ids, rows). */
  capacity: number;
}

/** The exchange layout of a list of variables (the same on every replica: one encoder config, one order). */
export interface GradientLayout {
  slots: VariableSlot[];
  floats: number;
}

export function gradientLayout(shapes: readonly (readonly number[])[]): GradientLayout {
  let offset = 0;
  const slots = shapes.map((shape) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const sparse = shape.length === 2 && shape[0]! >= SPARSE_MIN_ROWS;
    const rows = sparse ? shape[0]! : 1;
    const cols = sparse ? shape[1]! : size;
    const capacity = sparse ? 1 + rows + rows * cols : size;
    const slot: VariableSlot = { shape: [...shape], rows, cols, sparse, offset, capacity };
    offset += capacity;
    return slot;
  });
  return { slots, floats: offset };
}

/** Writes one replica's gradients (dense arrays, in layout order) into its region; returns the rows sent. */
export function packGradients(
  layout: GradientLayout,
  grads: readonly Float32Array[],
  out: Float32Array,
): number {
  let sentRows = 0;
  layout.slots.forEach((slot, v) => {
    const g = grads[v]!;
    if (!slot.sparse) {
      out.set(g, slot.offset);
      return;
    }
    const { rows, cols, offset } = slot;
    let count = 0;
    for (let r = 0; r < rows; r++) {
      const base = r * cols;
      let touched = false;
      for (let c = 0; c < cols; c++) {
        if (g[base + c] !== 0) {
          touched = true;
          break;
        }
      }
      if (!touched) continue;
      out[offset + 1 + count] = r;
      out.set(g.subarray(base, base + cols), offset + 1 + rows + count * cols);
      count++;
    }
    out[offset] = count;
    sentRows += count;
  });
  return sentRows;
}

/**
 * Sums the replicas' regions in shard order into dense gradients (what the optimizer applies) and writes the
 * sum into `sum` in the exchange format, for the other replicas to read with {@link unpackGradients}.
 */
export function sumGradients(
  layout: GradientLayout,
  regions: readonly Float32Array[],
  sum: Float32Array,
): Float32Array[] {
  return layout.slots.map((slot) => {
    const { offset, capacity } = slot;
    if (!slot.sparse) {
      const dense = regions[0]!.slice(offset, offset + capacity);
      for (let k = 1; k < regions.length; k++) {
        const r = regions[k]!;
        for (let i = 0; i < capacity; i++) dense[i]! += r[offset + i]!;
      }
      sum.set(dense, offset);
      return dense;
    }
    const { rows, cols } = slot;
    const dense = new Float32Array(rows * cols);
    const seen = new Uint8Array(rows);
    const touched: number[] = [];
    for (const region of regions) {
      const count = region[offset]!;
      for (let j = 0; j < count; j++) {
        const r = region[offset + 1 + j]!;
        const from = offset + 1 + rows + j * cols;
        const to = r * cols;
        for (let c = 0; c < cols; c++) dense[to + c]! += region[from + c]!;
        if (!seen[r]) {
          seen[r] = 1;
          touched.push(r);
        }
      }
    }
    touched.sort((a, b) => a - b);
    sum[offset] = touched.length;
    touched.forEach((r, j) => {
      sum[offset + 1 + j] = r;
      sum.set(dense.subarray(r * cols, (r + 1) * cols), offset + 1 + rows + j * cols);
    });
    return dense;
  });
}

/** The dense gradients held in an exchange region (written by {@link packGradients} or {@link sumGradients}). */
export function unpackGradients(layout: GradientLayout, region: Float32Array): Float32Array[] {
  return layout.slots.map((slot) => {
    const { offset, capacity } = slot;
    if (!slot.sparse) return region.slice(offset, offset + capacity);
    const { rows, cols } = slot;
    const dense = new Float32Array(rows * cols);
    const count = region[offset]!;
    for (let j = 0; j < count; j++) {
      const r = region[offset + 1 + j]!;
      const from = offset + 1 + rows + j * cols;
      dense.set(region.subarray(from, from + cols), r * cols);
    }
    return dense;
  });
}
