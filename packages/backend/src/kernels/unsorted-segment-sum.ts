import { type KernelConfig, type TensorInfo, UnsortedSegmentSum } from '@tensorflow/tfjs-core';
import { simdKernels } from '../simd-kernels.js';
import { memoryOf, sizeOf } from './heap.js';
import { WasmHeap } from './wasm-heap.js';

/**
 * `UnsortedSegmentSum`: out[s] = Σ x[i] over i with segmentIds[i] = s. It is the gradient of `gather`, so every
 * trainable embedding needs it. The wasm backend lacks it and the cpu one is O(V·N·D); this is O(N·D).
 */
export function unsortedSegmentSumConfig(backendName: string): KernelConfig {
  return {
    kernelName: UnsortedSegmentSum,
    backendName,
    kernelFunc: ({ inputs, attrs, backend }) => {
      const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
      const numSegments = (attrs as unknown as { numSegments: number }).numSegments;
      const mem = memoryOf(backend);
      const n = sizeOf(segmentIds.shape);
      const inner = n === 0 ? 0 : sizeOf(x.shape) / n;
      const out = mem.alloc([numSegments, ...x.shape.slice(segmentIds.shape.length)], x.dtype);
      const simd = simdKernels(backend);
      if (simd && x.dtype === 'float32' && segmentIds.dtype === 'int32') {
        const heap = new WasmHeap(backend);
        simd.scatter_add_rows(heap.ptr(x), heap.ptr(segmentIds), heap.ptr(out), n, inner, numSegments);
        return out;
      }
      const o = mem.view(out);
      const xv = mem.view(x);
      const ids = mem.view(segmentIds);
      o.fill(0);
      for (let i = 0; i < n; i++) {
        const s = ids[i]!;
        if (s < 0 || s >= numSegments) continue; // as TF: out-of-range ids are dropped
        const src = i * inner;
        const dst = s * inner;
        for (let j = 0; j < inner; j++) o[dst + j]! += xv[src + j]!;
      }
      return out;
    },
  };
}
