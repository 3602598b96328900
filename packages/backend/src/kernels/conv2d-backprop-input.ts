import {
  BatchMatMul,
  backend_util,
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
  getKernel,
  type KernelConfig,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { markOurs, stockKernel } from './registry.js';
import { relabel, WasmHeap } from './wasm-heap.js';

/**
 * `Conv2DBackpropInput` on wasm (NHWC; the input gradient of conv1d/conv2d): cols = dy · Wᵀ as one matmul on the
 * fast path, then col2im adds each patch row back into dx. The stock C++ loop takes 70 ms for a conv1d k=3 over
 * [128, 20, 128] → 128 filters.
 */
export function conv2DBackpropInputConfig(): KernelConfig {
  const stock = stockKernel(Conv2DBackpropInput);
  return {
    ...stock,
    kernelFunc: markOurs((args) => {
      const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
      const attrs = args.attrs as unknown as Conv2DBackpropInputAttrs;
      if (attrs.dataFormat === 'NCHW' || dy.dtype !== 'float32') return stock.kernelFunc(args);
      const backend = args.backend;
      const info = backend_util.computeConv2DInfo(
        attrs.inputShape,
        filter.shape as [number, number, number, number],
        attrs.strides,
        1,
        attrs.pad,
        attrs.dimRoundingMode,
      );
      const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
      const { filterHeight, filterWidth, strideHeight, strideWidth } = info;
      const top = info.padInfo.top;
      const left = info.padInfo.left;
      const rows = batchSize * outHeight * outWidth;
      const k = filterHeight * filterWidth * inChannels;
      const matMul = getKernel(BatchMatMul, 'wasm')!.kernelFunc;
      const cols = matMul({
        inputs: { a: relabel(dy, [1, rows, outChannels]), b: relabel(filter, [1, k, outChannels]) },
        attrs: { transposeA: false, transposeB: true },
        backend,
      }) as TensorInfo;
      const heap = new WasmHeap(backend);
      const dx = heap.alloc([...info.inShape], 'float32');
      const f = heap.floats();
      const c0 = heap.offset(cols);
      const x0 = heap.offset(dx);
      f.fill(0, x0, x0 + batchSize * inHeight * inWidth * inChannels);
      let r = c0;
      for (let b = 0; b < batchSize; b++) {
        for (let oh = 0; oh < outHeight; oh++) {
          for (let ow = 0; ow < outWidth; ow++, r += k) {
            for (let fh = 0; fh < filterHeight; fh++) {
              const ih = oh * strideHeight - top + fh;
              if (ih < 0 || ih >= inHeight) continue;
              for (let fw = 0; fw < filterWidth; fw++) {
                const iw = ow * strideWidth - left + fw;
                if (iw < 0 || iw >= inWidth) continue;
                const dst = x0 + ((b * inHeight + ih) * inWidth + iw) * inChannels;
                const src = r + (fh * filterWidth + fw) * inChannels;
                for (let c = 0; c < inChannels; c++) f[dst + c]! += f[src + c]!;
              }
            }
          }
        }
      }
      heap.free(cols);
      return dx;
    }),
  };
}
