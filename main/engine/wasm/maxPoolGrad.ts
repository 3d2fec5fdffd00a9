import * as tf from '@tensorflow/tfjs-core';
import { backend_util } from '@tensorflow/tfjs-core';
import type { KernelArgs } from './wasmKernelUtils';
import { asWasmBackend, heapF32 } from './wasmKernelUtils';

/**
 * MaxPoolGrad replacing the upstream wasm kernel, whose C++ search for the
 * window maximum starts at the smallest *positive* float: windows whose max is
 * <= 0 (after tanh, or any all-negative input) route no gradient at all.
 *
 * Semantics match the cpu backend exactly: the gradient goes to the first
 * maximum in row-major window order, padded cells never win, overlapping
 * windows accumulate. Written over zero-copy heap views: the op is memory
 * bound and a single JS pass (channels innermost, contiguous in NHWC) costs
 * about as much as a wasm call would.
 */
export function maxPoolGrad(args: KernelArgs): tf.TensorInfo {
  const backend = asWasmBackend(args.backend);
  const { dy, input } = args.inputs as unknown as tf.MaxPoolGradInputs;
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as tf.MaxPoolGradAttrs;
  const info = backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const dxInfo = backend.makeOutput(input.shape, 'float32');
  // Views only after makeOutput: the allocation may have grown the heap.
  const dx = heapF32(backend, dxInfo);
  const x = heapF32(backend, input);
  const g = heapF32(backend, dy);
  dx.fill(0);

  const { batchSize, inHeight, inWidth, outHeight, outWidth, inChannels: ch } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const { effectiveFilterHeight, effectiveFilterWidth } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  const rowStride = inWidth * ch;

  let gi = 0;
  for (let b = 0; b < batchSize; b++) {
    const xBatch = b * inHeight * rowStride;
    for (let yr = 0; yr < outHeight; yr++) {
      const r0 = yr * strideHeight - padTop;
      for (let yc = 0; yc < outWidth; yc++) {
        const c0 = yc * strideWidth - padLeft;
        for (let c = 0; c < ch; c++, gi++) {
          let best = Number.NEGATIVE_INFINITY;
          let bestIdx = -1;
          for (let wr = 0; wr < effectiveFilterHeight; wr += dilationHeight) {
            const xr = r0 + wr;
            if (xr < 0 || xr >= inHeight) continue;
            const rowBase = xBatch + xr * rowStride + c;
            for (let wc = 0; wc < effectiveFilterWidth; wc += dilationWidth) {
              const xc = c0 + wc;
              if (xc < 0 || xc >= inWidth) continue;
              const idx = rowBase + xc * ch;
              const v = x[idx];
              if (v > best) {
                best = v;
                bestIdx = idx;
              }
            }
          }
          if (bestIdx >= 0) dx[bestIdx] += g[gi];
        }
      }
    }
  }
  return dxInfo;
}

export const maxPoolGradConfig: tf.KernelConfig = {
  kernelName: tf.MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: maxPoolGrad as unknown as tf.KernelFunc,
};
