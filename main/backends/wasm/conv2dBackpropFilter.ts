import * as tf from '@tensorflow/tfjs-core';
import { backend_util } from '@tensorflow/tfjs-core';
import type { KernelArgs } from '../common/wasmKernelUtils';
import { asWasmBackend, callWasmKernel, disposeIntermediate, kernelInput } from '../common/wasmKernelUtils';

/**
 * Conv2DBackpropFilter (missing from tfjs-backend-wasm 4.22).
 *
 * dW[kh,kw,ci,co] = sum_{n,oh,ow} x[n, oh*s+kh-pad, ow*s+kw-pad, ci] * dy[n,oh,ow,co]
 *
 * That sum is itself a forward convolution if the batch axis becomes the
 * reduction (channel) axis: treat xT = x^[ci,h,w,n] as a batch of `ci` images
 * with `n` channels and dyT = dy^[oh,ow,n,co] as an (oh x ow) filter dilated
 * by the forward stride. The result is [ci,kh,kw,co]. XNNPACK's SIMD
 * convolution then does all multiply-adds (~10 GMAC/s vs ~1 for a JS loop).
 *
 * Cost profile (LeNet conv1, batch 256, ~10 ms): dy transpose ~2 ms, the
 * weight re-layout + packing XNNPACK does for every new "filter" ~4.5 ms,
 * the GEMM itself ~2.7 ms. Packing is unavoidable here: whichever operand is
 * packed carries the n*oh*ow reduction axis, and dy is the smallest such
 * operand. A JS block transpose of dy was measured slower than wasm's.
 */
export function conv2dBackpropFilter(args: KernelArgs): tf.TensorInfo {
  const backend = asWasmBackend(args.backend);
  const x = kernelInput(args, 'x');
  const dy = kernelInput(args, 'dy');
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } =
    args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const format = backend_util.convertConv2DDataFormat(dataFormat);
  if (format !== 'channelsLast') {
    throw new Error(`wasm Conv2DBackpropFilter supports only NHWC, got ${dataFormat}`);
  }
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    format,
  );
  const { filterHeight: kh, filterWidth: kw, inChannels: ci, outChannels: co } = info;
  const { strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  let inH = info.inHeight;
  let inW = info.inWidth;
  // Padding that makes the "backward" conv produce exactly kh x kw outputs.
  // It is negative when trailing input rows/cols are never read (strided
  // 'valid' convs); those rows are cropped instead.
  let bottom = kh + (oh - 1) * sh - inH - top;
  let right = kw + (ow - 1) * sw - inW - left;

  const temps: tf.TensorInfo[] = [];
  let xT = callWasmKernel('Transpose', backend, { x }, { perm: [3, 1, 2, 0] });
  temps.push(xT);
  if (bottom < 0 || right < 0) {
    const cropH = bottom < 0 ? inH + bottom : inH;
    const cropW = right < 0 ? inW + right : inW;
    xT = callWasmKernel('Slice', backend, { x: xT }, { begin: [0, 0, 0, 0], size: [ci, cropH, cropW, info.batchSize] });
    temps.push(xT);
    inH = cropH;
    inW = cropW;
    bottom = Math.max(bottom, 0);
    right = Math.max(right, 0);
  }
  const dyT = callWasmKernel('Transpose', backend, { x: dy }, { perm: [1, 2, 0, 3] });
  temps.push(dyT);
  const dwT = callWasmKernel(
    'Conv2D',
    backend,
    { x: xT, filter: dyT },
    {
      strides: [1, 1],
      pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
      dataFormat: 'NHWC',
      dilations: [sh, sw],
    },
  );
  for (const t of temps) disposeIntermediate(backend, t);
  if (ci === 1) {
    // [1,kh,kw,co] and [kh,kw,1,co] share the same memory layout.
    return { dataId: dwT.dataId, shape: [kh, kw, ci, co], dtype: dwT.dtype };
  }
  const dw = callWasmKernel('Transpose', backend, { x: dwT }, { perm: [1, 2, 0, 3] });
  disposeIntermediate(backend, dwT);
  return dw;
}

export const conv2dBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilter as unknown as tf.KernelFunc,
};
