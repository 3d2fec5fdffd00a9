import * as tf from '@tensorflow/tfjs-core';
import type { KernelArgs } from './wasmKernelUtils';
import { asWasmBackend, callUpstreamKernel, heapF32 } from './wasmKernelUtils';

/**
 * Sum, with a fast path for "reduce every axis but the last" — the bias
 * gradient of conv and dense layers. Upstream first transposes the kept axis
 * to the front (a full copy of the activation gradient) and then reduces; a
 * single row-wise pass into per-channel double accumulators is ~2x faster.
 */
export function sum(args: KernelArgs): tf.TensorInfo {
  const backend = asWasmBackend(args.backend);
  const { x } = args.inputs as unknown as tf.SumInputs;
  const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
  const rank = x.shape.length;
  if (x.dtype === 'float32' && rank >= 2) {
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
    const allButLast = axes.length === rank - 1 && axes.every((ax, i) => ax === i);
    const ch = x.shape[rank - 1];
    if (allButLast && ch > 0) {
      const outShape = keepDims ? [...x.shape.slice(0, -1).map(() => 1), ch] : [ch];
      const outInfo = backend.makeOutput(outShape, 'float32');
      const out = heapF32(backend, outInfo);
      const v = heapF32(backend, x);
      const acc = new Float64Array(ch);
      const n = v.length;
      for (let i = 0; i < n; i += ch) {
        for (let c = 0; c < ch; c++) acc[c] += v[i + c];
      }
      out.set(acc);
      return outInfo;
    }
  }
  return callUpstreamKernel(tf.Sum, args);
}

export const sumConfig: tf.KernelConfig = {
  kernelName: tf.Sum,
  backendName: 'wasm',
  kernelFunc: sum as unknown as tf.KernelFunc,
};
