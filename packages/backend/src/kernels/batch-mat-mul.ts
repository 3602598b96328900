import {
  BatchMatMul,
  type BatchMatMulAttrs,
  broadcast_util,
  type KernelConfig,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { sizeOf } from './heap.js';
import { markOurs, stockKernel } from './registry.js';
import { transposeKernel } from './transpose.js';
import { TransposeCache } from './transpose-cache.js';
import { relabel, WasmHeap } from './wasm-heap.js';
import { matMulInto } from './xnn-matmul.js';

/** Below this many multiply-adds per product the stock loop is as fast as transpose + XNNPACK. */
const MIN_MACS = 4096;

const transposeCache = new TransposeCache(2);

/**
 * `BatchMatMul` on wasm. tfjs' C++ uses XNNPACK only without transposes and with batch 1, and otherwise a naive
 * loop 10–60× slower; every matMul gradient has a transpose. This materialises transposes with the wasm
 * `Transpose` kernel, folds a broadcast 2-D right operand into one [b·m, k]×[k, n] product, and runs true batches
 * slice by slice on XNNPACK through tensors registered inside the operands (no copies).
 */
export function batchMatMulConfig(): KernelConfig {
  const stock = stockKernel(BatchMatMul);
  const transpose = transposeKernel;
  return {
    ...stock,
    kernelFunc: markOurs((args) => {
      const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
      const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttrs;
      const backend = args.backend;
      const ra = a.shape.length;
      const rb = b.shape.length;
      if (a.dtype !== 'float32' || b.dtype !== 'float32' || ra < 2 || rb < 2) return stock.kernelFunc(args);
      const m = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
      const k = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
      const kb = transposeB ? b.shape[rb - 1]! : b.shape[rb - 2]!;
      const n = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
      const batchA = sizeOf(a.shape.slice(0, -2));
      const batchB = sizeOf(b.shape.slice(0, -2));
      const outer = broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
      const batch = sizeOf(outer);
      const simple = !transposeA && !transposeB && batch === 1;
      const supported =
        k === kb && batch === Math.max(batchA, batchB) && (batchA === batchB || batchA === 1 || batchB === 1);
      if (simple || !supported || m * n * k * batch === 0 || m * n * k < MIN_MACS)
        return stock.kernelFunc(args);

      const heap = new WasmHeap(backend);
      const temps: TensorInfo[] = [];
      const dense = (t: TensorInfo, bt: number, rows: number, cols: number, flip: boolean): TensorInfo => {
        if (!flip) return relabel(t, [bt, rows, cols]);
        const run = () =>
          transpose({
            inputs: { x: relabel(t, [bt, cols, rows]) },
            attrs: { perm: [0, 2, 1] },
            backend,
          }) as TensorInfo;
        // A right operand is usually a weight reused across time steps (dh = dg·Whhᵀ): keep its transpose.
        if (t === b && bt === 1 && transposeCache.enabled) return transposeCache.get(heap, t, run);
        const y = run();
        temps.push(y);
        return y;
      };
      const a3 = dense(a, batchA, m, k, transposeA);
      const b3 = dense(b, batchB, k, n, transposeB);
      const outShape = [...outer, m, n];
      try {
        if (batchB === 1) {
          // One product; a broadcast 2-D right operand turns [b, m, k] into [b·m, k] rows.
          const y = stock.kernelFunc({
            inputs: { a: relabel(a3, [1, batchA * m, k]), b: relabel(b3, [1, k, n]) },
            attrs: { transposeA: false, transposeB: false },
            backend,
          }) as TensorInfo;
          return { dataId: y.dataId, shape: outShape, dtype: 'float32' };
        }
        return slicedProduct(heap, a3, b3, batchA, batch, m, k, n, outShape);
      } finally {
        for (const t of temps) heap.free(t);
      }
    }),
  };
}

/** out[i] = a[i or 0] · b[i], each slice on XNNPACK via tensors registered inside the operands. */
function slicedProduct(
  heap: WasmHeap,
  a3: TensorInfo,
  b3: TensorInfo,
  batchA: number,
  batch: number,
  m: number,
  k: number,
  n: number,
  outShape: number[],
): TensorInfo {
  const out = heap.alloc([batch, m, n], 'float32');
  const views: TensorInfo[] = [];
  try {
    for (let i = 0; i < batch; i++) {
      const av = batchA === 1 ? a3 : heap.view(a3, i * m * k, [1, m, k]);
      if (av !== a3) views.push(av);
      const bv = heap.view(b3, i * k * n, [1, k, n]);
      views.push(bv);
      const ov = heap.view(out, i * m * n, [1, m, n]);
      views.push(ov);
      matMulInto(heap, av, bv, ov, m, k, n);
      // Release as we go: each b slice caches a packed XNNPACK operator until its id is disposed.
      for (const v of views.splice(0)) heap.releaseView(v);
    }
  } catch (e) {
    for (const v of views) heap.releaseView(v);
    heap.free(out);
    throw e;
  }
  return { dataId: out.dataId, shape: outShape, dtype: 'float32' };
}
