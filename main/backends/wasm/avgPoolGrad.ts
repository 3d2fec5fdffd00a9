import * as tf from '@tensorflow/tfjs-core';
import { backend_util } from '@tensorflow/tfjs-core';
import type { KernelArgs } from '../common/wasmKernelUtils';
import { asWasmBackend, callUpstreamKernel, heapF32, kernelInput } from '../common/wasmKernelUtils';

/**
 * AvgPoolGrad fast path for non-overlapping, unpadded windows (LeNet-5's 2x2
 * stride 2). Upstream is correct but loops over every (dx, window) pair; here
 * each dy value is spread once over its own window, ~3x faster. Overlapping or
 * padded pools go to the upstream kernel, whose results the tests pin to cpu.
 */
export function avgPoolGrad(args: KernelArgs): tf.TensorInfo {
  const backend = asWasmBackend(args.backend);
  const dy = kernelInput(args, 'dy');
  const input = kernelInput(args, 'input');
  const { filterSize, strides, pad } = args.attrs as unknown as tf.AvgPoolGradAttrs;
  const info = backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
  );
  const { batchSize, inHeight, inWidth, outHeight, outWidth, inChannels: ch } = info;
  const { filterHeight: fh, filterWidth: fw, strideHeight, strideWidth } = info;
  const p = info.padInfo;
  const simple =
    strideHeight === fh && strideWidth === fw && p.top === 0 && p.left === 0 && p.bottom === 0 && p.right === 0 &&
    outHeight * fh <= inHeight && outWidth * fw <= inWidth && dy.dtype === 'float32';
  if (!simple) return callUpstreamKernel(tf.AvgPoolGrad, args);

  const dxInfo = backend.makeOutput(input.shape, 'float32');
  const dx = heapF32(backend, dxInfo);
  const g = heapF32(backend, dy);
  if (outHeight * fh < inHeight || outWidth * fw < inWidth) dx.fill(0);
  const scale = 1 / (fh * fw);
  const rowStride = inWidth * ch;
  let gi = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let yr = 0; yr < outHeight; yr++) {
      const rowBase = (b * inHeight + yr * fh) * rowStride;
      for (let yc = 0; yc < outWidth; yc++, gi += ch) {
        const base = rowBase + yc * fw * ch;
        for (let wr = 0; wr < fh; wr++) {
          for (let wc = 0; wc < fw; wc++) {
            const o = base + wr * rowStride + wc * ch;
            for (let c = 0; c < ch; c++) dx[o + c] = g[gi + c] * scale;
          }
        }
      }
    }
  }
  return dxInfo;
}

export const avgPoolGradConfig: tf.KernelConfig = {
  kernelName: tf.AvgPoolGrad,
  backendName: 'wasm',
  kernelFunc: avgPoolGrad as unknown as tf.KernelFunc,
};
