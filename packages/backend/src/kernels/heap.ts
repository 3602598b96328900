import type { DataType, TensorInfo } from '@tensorflow/tfjs-core';

type Typed = Float32Array | Int32Array | Uint8Array;

/**
 * Uniform access to tensor memory on the wasm backend (views on the wasm heap) and the cpu backend (JS arrays).
 * On wasm, allocate every output BEFORE taking views: `_malloc` may grow the heap and detach older views.
 */
export interface TensorMemory {
  /** Allocates an output tensor (not zeroed on wasm). */
  alloc(shape: number[], dtype: DataType): TensorInfo;
  /** A live view of the tensor's values. */
  view(t: TensorInfo): Typed;
  /** Frees a temporary created with `alloc`. */
  free(t: TensorInfo): void;
}

export function memoryOf(backend: object): TensorMemory {
  const b = backend as any;
  if (typeof b.typedArrayFromHeap === 'function') {
    return {
      alloc: (shape, dtype) => b.makeOutput(shape, dtype),
      view: (t) => b.typedArrayFromHeap(t),
      free: (t) => b.disposeData(t.dataId),
    };
  }
  if (b.data && typeof b.makeTensorInfo === 'function') {
    return {
      alloc: (shape, dtype) => {
        const n = shape.reduce((a, c) => a * c, 1);
        const values =
          dtype === 'int32' ? new Int32Array(n) : dtype === 'bool' ? new Uint8Array(n) : new Float32Array(n);
        return b.makeTensorInfo(shape, dtype, values);
      },
      view: (t) => b.data.get(t.dataId).values,
      free: (t) => b.disposeIntermediateTensorInfo(t),
    };
  }
  throw new Error(`siamese kernels: unsupported backend ${b.constructor?.name}`);
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
