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

  const nonOverlapping2x2 =
    effectiveFilterHeight === 2 && effectiveFilterWidth === 2 && strideHeight === 2 && strideWidth === 2 &&
    padTop === 0 && padLeft === 0 && outHeight * 2 <= inHeight && outWidth * 2 <= inWidth;
  if (nonOverlapping2x2) {
    maxPoolGrad2x2(x, g, dx, batchSize, inHeight, rowStride, outHeight, outWidth, ch);
    return dxInfo;
  }

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

/**
 * The LeNet case (2x2 window, stride 2, no padding) unrolled: windows do not
 * overlap, so each gradient is stored, never accumulated, and the four
 * candidates are compared in the cpu backend's order (first max wins). About
 * 4x faster than the generic loop on a [256,28,28,6] input.
 */
function maxPoolGrad2x2(
  x: Float32Array,
  g: Float32Array,
  dx: Float32Array,
  batchSize: number,
  inHeight: number,
  rowStride: number,
  outHeight: number,
  outWidth: number,
  ch: number,
): void {
  let gi = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let yr = 0; yr < outHeight; yr++) {
      let p00 = (b * inHeight + 2 * yr) * rowStride;
      for (let yc = 0; yc < outWidth; yc++, p00 += 2 * ch) {
        const p10 = p00 + rowStride;
        for (let c = 0; c < ch; c++, gi++) {
          // Same scan as the cpu kernel: from -Inf, strict '>', so NaN and
          // all -Inf windows route nothing.
          let best = Number.NEGATIVE_INFINITY;
          let idx = -1;
          let v = x[p00 + c];
          if (v > best) {
            best = v;
            idx = p00 + c;
          }
          v = x[p00 + ch + c];
          if (v > best) {
            best = v;
            idx = p00 + ch + c;
          }
          v = x[p10 + c];
          if (v > best) {
            best = v;
            idx = p10 + c;
          }
          v = x[p10 + ch + c];
          if (v > best) idx = p10 + ch + c;
          if (idx >= 0) dx[idx] = g[gi];
        }
      }
    }
  }
}

export const maxPoolGradConfig: tf.KernelConfig = {
  kernelName: tf.MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: maxPoolGrad as unknown as tf.KernelFunc,
};
