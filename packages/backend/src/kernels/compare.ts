import {
  type DataType,
  Equal,
  Greater,
  GreaterEqual,
  type KernelConfig,
  Less,
  LessEqual,
  NotEqual,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { broadcastPlan, forEachRun } from './broadcast.js';
import { sizeOf } from './heap.js';
import { markOurs, stockKernel } from './registry.js';
import { WasmHeap } from './wasm-heap.js';

type Op = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';
type Values = Float32Array | Int32Array | Uint8Array;

const OPS: Record<string, Op> = {
  [Equal]: 'eq',
  [NotEqual]: 'ne',
  [Less]: 'lt',
  [LessEqual]: 'le',
  [Greater]: 'gt',
  [GreaterEqual]: 'ge',
};

/** Kernel names of the comparison overrides. */
export const COMPARISON_KERNELS: readonly string[] = Object.keys(OPS);

/**
 * Comparisons on wasm as JS loops over heap views. The stock kernels take a slow generic path: `Equal` of
 * [128,20,128] with [128,1,128] (the gradient of `tf.max` over time) costs 18 ms, 1 ms even without broadcasting.
 */
export function comparisonConfig(kernelName: string): KernelConfig {
  const stock = stockKernel(kernelName);
  const op = OPS[kernelName]!;
  return {
    ...stock,
    kernelFunc: markOurs((args) => {
      const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
      if (a.dtype === 'string' || a.dtype !== b.dtype) return stock.kernelFunc(args);
      const plan = broadcastPlan(a.shape, b.shape);
      const heap = new WasmHeap(args.backend);
      const out = heap.alloc(plan.outShape, 'bool');
      if (sizeOf(plan.outShape) === 0) return out;
      const av = valuesOf(heap, a.dtype);
      const o = heap.elements('bool') as Uint8Array;
      const a0 = heap.offset(a);
      const b0 = heap.offset(b);
      const o0 = heap.offset(out);
      const sa = plan.aStrides[plan.aStrides.length - 1]!;
      const sb = plan.bStrides[plan.bStrides.length - 1]!;
      forEachRun(plan, (ao, bo, oo, n) => compareRun(op, av, a0 + ao, sa, av, b0 + bo, sb, o, o0 + oo, n));
      return out;
    }),
  };
}

function valuesOf(heap: WasmHeap, dtype: DataType): Values {
  return dtype === 'float32' ? heap.floats() : heap.elements(dtype);
}

function compareRun(
  op: Op,
  a: Values,
  ai: number,
  sa: number,
  b: Values,
  bi: number,
  sb: number,
  o: Uint8Array,
  oi: number,
  n: number,
): void {
  switch (op) {
    case 'eq':
      for (let i = 0; i < n; i++) o[oi + i] = a[ai + i * sa]! === b[bi + i * sb]! ? 1 : 0;
      break;
    case 'ne':
      for (let i = 0; i < n; i++) o[oi + i] = a[ai + i * sa]! !== b[bi + i * sb]! ? 1 : 0;
      break;
    case 'lt':
      for (let i = 0; i < n; i++) o[oi + i] = a[ai + i * sa]! < b[bi + i * sb]! ? 1 : 0;
      break;
    case 'le':
      for (let i = 0; i < n; i++) o[oi + i] = a[ai + i * sa]! <= b[bi + i * sb]! ? 1 : 0;
      break;
    case 'gt':
      for (let i = 0; i < n; i++) o[oi + i] = a[ai + i * sa]! > b[bi + i * sb]! ? 1 : 0;
      break;
    case 'ge':
      for (let i = 0; i < n; i++) o[oi + i] = a[ai + i * sa]! >= b[bi + i * sb]! ? 1 : 0;
      break;
  }
}
