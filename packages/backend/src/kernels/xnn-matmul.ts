import { BatchMatMul, type TensorInfo } from '@tensorflow/tfjs-core';
import type { WasmHeap } from './wasm-heap.js';

type CppBatchMatMul = (
  aId: number,
  aShape: Uint8Array,
  aRank: number,
  bId: number,
  bShape: Uint8Array,
  bRank: number,
  transposeA: boolean,
  transposeB: boolean,
  outId: number,
) => void;
const cppByModule = new WeakMap<object, CppBatchMatMul>();

const shapeBytes = (shape: number[]) => new Uint8Array(new Int32Array(shape).buffer);

/**
 * out[m, n] = a[m, k] · b[k, n] through tfjs' C++ `BatchMatMul` export (XNNPACK for this untransposed batch-1
 * case), writing into an EXISTING tensor `out`: no allocation, no engine round trip. All three must be
 * registered tensors on the heap (allocated or {@link WasmHeap.view}s). XNNPACK keeps `b` packed per tensor id.
 */
export function matMulInto(
  heap: WasmHeap,
  a: TensorInfo,
  b: TensorInfo,
  out: TensorInfo,
  m: number,
  k: number,
  n: number,
): void {
  const mod = heap.module;
  let cpp = cppByModule.get(mod);
  if (!cpp) {
    const args = ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number'];
    cpp = mod.cwrap(BatchMatMul, null, args) as unknown as CppBatchMatMul;
    cppByModule.set(mod, cpp);
  }
  cpp(heap.id(a), shapeBytes([1, m, k]), 3, heap.id(b), shapeBytes([1, k, n]), 3, false, false, heap.id(out));
}
