import {
  engine,
  expandDims,
  type GradConfig,
  gather,
  getBackend,
  getKernel,
  type KernelConfig,
  mul,
  sum,
  type Tensor,
  type Tensor2D,
  type TensorInfo,
  tidy,
  zerosLike,
} from '@tensorflow/tfjs-core';
import { simdKernels } from '../simd-kernels.js';
import { memoryOf } from './heap.js';
import { WasmHeap } from './wasm-heap.js';

/** Kernel names of the fused embedding bag (wasm and cpu). */
export const EMBEDDING_BAG = 'SiameseEmbeddingBag';
export const EMBEDDING_BAG_GRAD = 'SiameseEmbeddingBagGrad';

function dims(
  table: TensorInfo,
  ids: TensorInfo,
  weights: TensorInfo,
): { v: number; d: number; b: number; t: number } {
  const [v, d] = table.shape;
  const [b, t] = ids.shape;
  if (
    table.shape.length !== 2 ||
    ids.shape.length !== 2 ||
    weights.shape.length !== 2 ||
    weights.shape[0] !== b ||
    weights.shape[1] !== t ||
    ids.dtype !== 'int32' ||
    table.dtype !== 'float32' ||
    weights.dtype !== 'float32'
  ) {
    throw new Error(
      `${EMBEDDING_BAG}: expected table float32 [V, D], ids int32 [B, T], weights float32 [B, T], found table ${table.dtype} [${table.shape}], ids ${ids.dtype} [${ids.shape}], weights ${weights.dtype} [${weights.shape}]`,
    );
  }
  return { v: v!, d: d!, b: b!, t: t! };
}

/** out[b] = Σ_t weights[b, t] · table[ids[b, t]] — gather and pooling in one pass, no [B, T, D] intermediate. */
export function embeddingBagConfig(backendName: string): KernelConfig {
  return {
    kernelName: EMBEDDING_BAG,
    backendName,
    kernelFunc: ({ inputs, backend }) => {
      const { table, ids, weights } = inputs as Record<'table' | 'ids' | 'weights', TensorInfo>;
      const { v, d, b: B, t: T } = dims(table, ids, weights);
      const mem = memoryOf(backend);
      const out = mem.alloc([B, d], 'float32');
      const simd = simdKernels(backend);
      if (simd) {
        const h = new WasmHeap(backend);
        const bad = simd.embedding_bag(h.ptr(table), h.ptr(ids), h.ptr(weights), h.ptr(out), B, T, d, v);
        if (bad >= 0) {
          mem.free(out);
          const id = (mem.view(ids) as Int32Array)[bad];
          throw new Error(`${EMBEDDING_BAG}: id ${id} is not in [0, ${v - 1}]`);
        }
        return out;
      }
      const o = mem.view(out) as Float32Array;
      const e = mem.view(table) as Float32Array;
      const id = mem.view(ids) as Int32Array;
      const w = mem.view(weights) as Float32Array;
      o.fill(0);
      for (let b = 0; b < B; b++) {
        const dst = b * d;
        for (let t = 0; t < T; t++) {
          const wt = w[b * T + t]!;
          if (wt === 0) continue; // padding
          const row = id[b * T + t]!;
          if (!(row >= 0 && row < v)) throw new Error(`${EMBEDDING_BAG}: id ${row} is not in [0, ${v - 1}]`);
          const src = row * d;
          for (let k = 0; k < d; k++) o[dst + k]! += wt * e[src + k]!;
        }
      }
      return out;
    },
  };
}

/** Backward: dTable[ids[b, t]] += weights[b, t]·dy[b] (dense [V, D]) and dWeights[b, t] = dy[b] · table[ids[b, t]]. */
export function embeddingBagGradConfig(backendName: string): KernelConfig {
  return {
    kernelName: EMBEDDING_BAG_GRAD,
    backendName,
    kernelFunc: ({ inputs, backend }) => {
      const { dy, table, ids, weights } = inputs as Record<'dy' | 'table' | 'ids' | 'weights', TensorInfo>;
      const { v, d, b: B, t: T } = dims(table, ids, weights);
      const mem = memoryOf(backend);
      const dTable = mem.alloc([v, d], 'float32');
      const dW = mem.alloc([B, T], 'float32');
      const simd = simdKernels(backend);
      if (simd) {
        const h = new WasmHeap(backend);
        const [pdy, pt, pi, pw] = [dy, table, ids, weights].map((x) => h.ptr(x)) as number[];
        const bad = simd.embedding_bag_grad(pdy!, pt!, pi!, pw!, h.ptr(dTable), h.ptr(dW), B, T, d, v);
        if (bad >= 0) {
          mem.free(dTable);
          mem.free(dW);
          const id = (mem.view(ids) as Int32Array)[bad];
          throw new Error(`${EMBEDDING_BAG_GRAD}: id ${id} is not in [0, ${v - 1}]`);
        }
        return [dTable, dW];
      }
      const [gt, gw] = [mem.view(dTable), mem.view(dW)] as Float32Array[];
      const [g, e, w] = [mem.view(dy), mem.view(table), mem.view(weights)] as Float32Array[];
      const id = mem.view(ids) as Int32Array;
      gt!.fill(0);
      for (let b = 0; b < B; b++) {
        const src = b * d;
        for (let t = 0; t < T; t++) {
          const wt = w![b * T + t]!;
          const index = id[b * T + t]!;
          if (!(index >= 0 && index < v)) {
            if (wt !== 0) throw new Error(`${EMBEDDING_BAG_GRAD}: id ${index} is not in [0, ${v - 1}]`);
            gw![b * T + t] = 0; // an unused pad id: no table row to differentiate against
            continue;
          }
          const row = index * d;
          let dot = 0;
          for (let k = 0; k < d; k++) {
            dot += g![src + k]! * e![row + k]!;
            if (wt !== 0) gt![row + k]! += wt * g![src + k]!;
          }
          gw![b * T + t] = dot;
        }
      }
      return [dTable, dW];
    },
  };
}

/** Gradient of {@link EMBEDDING_BAG} w.r.t. the table and the weights. */
export const embeddingBagGradient: GradConfig = {
  kernelName: EMBEDDING_BAG,
  inputsToSave: ['table', 'ids', 'weights'],
  gradFunc: (dy, saved) => {
    const [table, ids, weights] = saved as Tensor[];
    const [dTable, dW] = engine().runKernel(EMBEDDING_BAG_GRAD, {
      dy: dy as Tensor,
      table: table!,
      ids: ids!,
      weights: weights!,
    }) as Tensor[];
    return { table: () => dTable!, ids: () => zerosLike(ids!), weights: () => dW! };
  },
};

/**
 * Weighted bag of embeddings: out[b] = Σ_t weights[b, t] · table[ids[b, t]], [B, D]. With weights = mask / length
 * it is masked mean pooling; with weights = mask it is a masked sum. One pass over the tokens and no [B, T, D]
 * tensor, forward or backward (on wasm and cpu after `initBackend()`; plain ops elsewhere). Rows with weight 0
 * are skipped, so pads may use any valid id. Differentiable w.r.t. `table` and `weights`.
 *
 * @example
 * ```ts
 * const weights = tf.div(mask, tf.sum(mask, 1, true));   // [B, T]
 * const sentence = embeddingBag(embeddings, ids, weights); // [B, D]
 * ```
 */
export function embeddingBag(table: Tensor2D, ids: Tensor2D, weights: Tensor2D): Tensor2D {
  if (getKernel(EMBEDDING_BAG, getBackend())) {
    return engine().runKernel(EMBEDDING_BAG, { table, ids, weights }) as Tensor2D;
  }
  return tidy(() => sum(mul(gather(table, ids), expandDims(weights, 2)), 1) as Tensor2D);
}
