import {
  BatchMatMul,
  backend_util,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  getKernel,
  type KernelConfig,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { memoryOf } from './heap.js';

/**
 * `Conv2DBackpropFilter` for the wasm backend (conv1d/conv2d training), NHWC, any stride/padding/dilation.
 * dW = patchesᵀ · dy, where patchesᵀ [kh·kw·C, B·oH·oW] is built transposed so the product runs on the
 * backend's fast (XNNPACK, no-transpose) matmul path.
 */
export function conv2DBackpropFilterConfig(backendName: string): KernelConfig {
  return {
    kernelName: Conv2DBackpropFilter,
    backendName,
    kernelFunc: ({ inputs, attrs, backend }) => {
      const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
      const { strides, pad, dataFormat, dimRoundingMode, filterShape } =
        attrs as unknown as Conv2DBackpropFilterAttrs;
      if (dataFormat === 'NCHW')
        throw new Error('Conv2DBackpropFilter (siamese wasm kernel): NCHW is not supported');
      const info = backend_util.computeConv2DInfo(
        x.shape as [number, number, number, number],
        filterShape,
        strides,
        1,
        pad,
        dimRoundingMode,
        false,
        backend_util.convertConv2DDataFormat(dataFormat),
      );
      const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
      const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
      const top = info.padInfo.top;
      const left = info.padInfo.left;
      const rows = batchSize * outHeight * outWidth;
      const k = filterHeight * filterWidth * inChannels;
      const mem = memoryOf(backend);
      const patchesT = mem.alloc([1, k, rows], 'float32');
      const p = mem.view(patchesT) as Float32Array;
      const xv = mem.view(x) as Float32Array;
      for (let fh = 0; fh < filterHeight; fh++) {
        for (let fw = 0; fw < filterWidth; fw++) {
          for (let c = 0; c < inChannels; c++) {
            const rowBase = ((fh * filterWidth + fw) * inChannels + c) * rows;
            let r = 0;
            for (let b = 0; b < batchSize; b++) {
              for (let oh = 0; oh < outHeight; oh++) {
                const ih = oh * strideHeight - top + fh * dilationHeight;
                const inRow = ih >= 0 && ih < inHeight;
                for (let ow = 0; ow < outWidth; ow++, r++) {
                  const iw = ow * strideWidth - left + fw * dilationWidth;
                  p[rowBase + r] =
                    inRow && iw >= 0 && iw < inWidth
                      ? xv[((b * inHeight + ih) * inWidth + iw) * inChannels + c]!
                      : 0;
                }
              }
            }
          }
        }
      }
      const matMul = getKernel(BatchMatMul, backendName)!.kernelFunc;
      const product = matMul({
        inputs: { a: patchesT, b: { dataId: dy.dataId, shape: [1, rows, outChannels], dtype: dy.dtype } },
        attrs: { transposeA: false, transposeB: false },
        backend,
      }) as TensorInfo;
      mem.free(patchesT);
      return { dataId: product.dataId, shape: [...filterShape], dtype: product.dtype };
    },
  };
}
