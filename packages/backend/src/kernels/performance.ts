import {
  getGradient,
  getKernel,
  type KernelConfig,
  registerGradient,
  unregisterKernel,
} from '@tensorflow/tfjs-core';
import { batchMatMulConfig } from './batch-mat-mul.js';
import { COMPARISON_KERNELS, comparisonConfig } from './compare.js';
import { concatConfig } from './concat.js';
import { conv2DBackpropInputConfig } from './conv2d-backprop-input.js';
import { gatherV2Config } from './gather.js';
import { identityConfig } from './identity.js';
import { LSTM_SEQUENCE, LSTM_SEQUENCE_TABLE, lstmSequenceConfig } from './lstm-sequence.js';
import {
  LSTM_SEQUENCE_GRAD,
  lstmSequenceGradConfig,
  lstmSequenceGradient,
  lstmSequenceTableGradient,
} from './lstm-sequence-grad.js';
import { isOurs, replaceKernel, stockKernel } from './registry.js';
import { reverseConfig } from './reverse.js';
import { sliceConfig } from './slice.js';
import { splitVConfig } from './split-v.js';
import { maxConfig, sumConfig } from './sum.js';
import { tanhConfig } from './tanh.js';
import { tileConfig } from './tile.js';
import { transposeConfig } from './transpose.js';
import { unpackConfig } from './unpack.js';

/** Every performance override, by kernel name. */
const OVERRIDES: ReadonlyArray<readonly [string, () => KernelConfig]> = [
  ['BatchMatMul', batchMatMulConfig],
  ['Slice', sliceConfig],
  ['SplitV', splitVConfig],
  ['Unpack', unpackConfig],
  ['GatherV2', gatherV2Config],
  ['Identity', identityConfig],
  ['Tile', tileConfig],
  ['Reverse', reverseConfig],
  ['Conv2DBackpropInput', conv2DBackpropInputConfig],
  ['Tanh', tanhConfig],
  ['Sum', sumConfig],
  ['Max', maxConfig],
  ['Transpose', transposeConfig],
  ['Concat', concatConfig],
  ...COMPARISON_KERNELS.map((name) => [name, () => comparisonConfig(name)] as const),
];

let configs: KernelConfig[] | undefined;

/**
 * Replaces stock tfjs-backend-wasm kernels that are slow for training with faster ones that give the same results:
 * transposed/batched `BatchMatMul` on XNNPACK, `Slice`/`SplitV`/`Unpack`/`GatherV2`/`Tile`/`Reverse` as heap
 * copies, zero-copy `Identity`, comparisons as JS loops, `Conv2DBackpropInput` as matmul + col2im, `Tanh` on
 * XNNPACK's sigmoid, `Sum` over leading axes, no-op `Transpose` without a copy; and adds the fused LSTM layer kernels behind `lstmSequence()`.
 * Idempotent; the stock kernels stay reachable (they are captured before the first replacement).
 *
 * @returns the kernel names now overridden on `'wasm'`.
 */
export function registerWasmPerformanceKernels(): string[] {
  // Built once: every stock kernel is captured before the first replacement, and re-registering is a no-op.
  configs ??= OVERRIDES.map(([name, make]) => {
    stockKernel(name);
    return make();
  });
  for (const c of configs) replaceKernel(c);
  replaceKernel(lstmSequenceConfig());
  replaceKernel(lstmSequenceConfig(LSTM_SEQUENCE_TABLE));
  replaceKernel(lstmSequenceGradConfig());
  if (!getGradient(LSTM_SEQUENCE)) registerGradient(lstmSequenceGradient);
  if (!getGradient(LSTM_SEQUENCE_TABLE)) registerGradient(lstmSequenceTableGradient);
  return [...configs.map((c) => c.kernelName), LSTM_SEQUENCE, LSTM_SEQUENCE_TABLE, LSTM_SEQUENCE_GRAD];
}

/**
 * Puts the stock tfjs-backend-wasm kernels back where {@link registerWasmPerformanceKernels} replaced them
 * (e.g. to compare speeds, or to rule the overrides out when debugging).
 *
 * @returns the kernel names restored.
 */
export function restoreStockWasmKernels(): string[] {
  const restored: string[] = [];
  for (const [name] of OVERRIDES) {
    if (!isOurs(name)) continue;
    replaceKernel(stockKernel(name));
    restored.push(name);
  }
  // Without the fused kernels, lstmSequence() runs as plain ops.
  for (const name of [LSTM_SEQUENCE, LSTM_SEQUENCE_TABLE, LSTM_SEQUENCE_GRAD])
    if (getKernel(name, 'wasm')) unregisterKernel(name, 'wasm');
  return restored;
}
