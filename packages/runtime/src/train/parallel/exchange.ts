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
import * as tf from '@tensorflow/tfjs-core';

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

/**
 * Writes one replica's gradients (tensors, in layout order) into its region; returns the rows sent. A sparse
 * table's touched rows (any element non-zero: its row sum of |g| is non-zero, NaN included) are found and
 * gathered by the backend, so only they are read back, not the whole table.
 */
export function packGradients(
  layout: GradientLayout,
  grads: readonly tf.Tensor[],
  out: Float32Array,
): number {
  let sentRows = 0;
  layout.slots.forEach((slot, v) => {
    const g = grads[v]!;
    if (!slot.sparse) {
      out.set(g.dataSync() as Float32Array, slot.offset);
      return;
    }
    const { rows, offset } = slot;
    const sums = tf.tidy(() => tf.sum(tf.abs(g), 1));
    const weight = sums.dataSync() as Float32Array;
    sums.dispose();
    const touched: number[] = [];
    for (let r = 0; r < rows; r++) if (weight[r] !== 0) touched.push(r);
    touched.forEach((r, j) => {
      out[offset + 1 + j] = r;
    });
    if (touched.length) {
      const picked = tf.tidy(() => tf.gather(g, tf.tensor1d(touched, 'int32')));
      out.set(picked.dataSync() as Float32Array, offset + 1 + rows);
      picked.dispose();
    }
    out[offset] = touched.length;
    sentRows += touched.length;
  });
  return sentRows;
}

/**
 * Sums the replicas' regions in shard order into `sum`, in the exchange format (what every replica, and the
 * calling thread, turn into gradient tensors with {@link gradientTensors}). Each value is `0 + g₀ + g₁ + …` in
 * float32, as a dense accumulation would give, but no dense copy of a sparse table is made.
 */
export function sumGradients(
  layout: GradientLayout,
  regions: readonly Float32Array[],
  sum: Float32Array,
): void {
  for (const slot of layout.slots) {
    const { offset, capacity } = slot;
    if (!slot.sparse) {
      const out = sum.subarray(offset, offset + capacity);
      out.set(regions[0]!.subarray(offset, offset + capacity));
      for (let k = 1; k < regions.length; k++) {
        const r = regions[k]!;
        for (let i = 0; i < capacity; i++) out[i]! += r[offset + i]!;
      }
      continue;
    }
    const { rows, cols } = slot;
    // Where each region holds row r (-1: not touched there), and the rows touched anywhere, in increasing order.
    const positions = regions.map(() => new Int32Array(rows).fill(-1));
    const touched: number[] = [];
    const seen = new Uint8Array(rows);
    regions.forEach((region, k) => {
      const count = region[offset]!;
      for (let j = 0; j < count; j++) {
        const r = region[offset + 1 + j]!;
        positions[k]![r] = j;
        if (!seen[r]) {
          seen[r] = 1;
          touched.push(r);
        }
      }
    });
    touched.sort((a, b) => a - b);
    let count = 0;
    for (const r of touched) {
      sum[offset + 1 + count] = r;
      const to = offset + 1 + rows + count * cols;
      sum.fill(0, to, to + cols);
      for (let k = 0; k < regions.length; k++) {
        const j = positions[k]![r]!;
        if (j < 0) continue;
        const region = regions[k]!;
        const from = offset + 1 + rows + j * cols;
        for (let c = 0; c < cols; c++) sum[to + c]! += region[from + c]!;
      }
      count++;
    }
    sum[offset] = count;
  }
}

/**
 * The gradient tensors held in an exchange region (written by {@link sumGradients}), one per variable: a sparse
 * table is scattered into zeros by the backend, so only its touched rows are copied.
 */
export function gradientTensors(layout: GradientLayout, region: Float32Array): tf.Tensor[] {
  return layout.slots.map((slot) => {
    const { offset, capacity, shape } = slot;
    // Copies: the region is shared memory the next step overwrites, and the cpu backend keeps the array it gets.
    if (!slot.sparse) return tf.tensor(region.slice(offset, offset + capacity), shape);
    const { rows, cols } = slot;
    const count = region[offset]!;
    if (count === 0) return tf.zeros(shape);
    return tf.tidy(() => {
      const ids = tf.tensor2d(
        Int32Array.from(region.subarray(offset + 1, offset + 1 + count)),
        [count, 1],
        'int32',
      );
      const from = offset + 1 + rows;
      const values = tf.tensor2d(region.slice(from, from + count * cols), [count, cols]);
      return tf.scatterND(ids, values, shape);
    });
  });
}

/**
 * The global L2 norm of the gradients held in an exchange region (in float64; infinite where float32's sum of
 * squares would overflow, as the one-thread path's float32 norm does). Decides, as on one thread, whether a
 * step is applied.
 */
export function globalNorm(layout: GradientLayout, region: Float32Array): number {
  let squares = 0;
  for (const slot of layout.slots) {
    const { offset } = slot;
    const from = slot.sparse ? offset + 1 + slot.rows : offset;
    const length = slot.sparse ? region[offset]! * slot.cols : slot.capacity;
    for (let i = from; i < from + length; i++) squares += region[i]! * region[i]!;
  }
  return squares > FLOAT32_MAX ? Number.POSITIVE_INFINITY : Math.sqrt(squares);
}

const FLOAT32_MAX = 3.4028234663852886e38;
