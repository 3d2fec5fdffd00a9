import * as tf from '@tensorflow/tfjs-core';
import type { KernelArgs } from '../common/wasmKernelUtils';
import { asWasmBackend, callUpstreamKernel, disposeIntermediate, heapF32, kernelInput } from '../common/wasmKernelUtils';

/**
 * Add, with a fast path for the per-channel bias add `[n,...,c] + [c]`.
 *
 * Under gradient recording tfjs-core will not fuse conv+bias+relu, so every
 * conv layer adds its bias over the whole activation. Upstream's broadcast
 * loop is slow when the broadcast (innermost) extent is small: [n*h*w, 6] +
 * [6] takes 2.1 ms, while the same data as [n, h*w*6] + [h*w*6] takes 0.36 ms
 * (as fast as a same-shape add). So we repeat the bias over one sample
 * (a few KB, built in JS) and add on zero-copy 2-D views.
 */
export function add(args: KernelArgs): tf.TensorInfo {
  const backend = asWasmBackend(args.backend);
  const a = kernelInput(args, 'a');
  const b = kernelInput(args, 'b');
  const aIsBias = isBiasFor(a, b);
  const bias = aIsBias ? a : isBiasFor(b, a) ? b : null;
  if (bias == null) return callUpstreamKernel(tf.Add, args);
  const big = aIsBias ? b : a;
  const ch = big.shape[big.shape.length - 1];
  const perSample = tf.util.sizeFromShape(big.shape.slice(1));

  const tiledInfo = backend.makeOutput([perSample], 'float32');
  const tiled = heapF32(backend, tiledInfo);
  const v = heapF32(backend, bias);
  for (let i = 0; i < perSample; i += ch) tiled.set(v, i);
  const out = callUpstreamKernel(tf.Add, {
    inputs: { a: { dataId: big.dataId, shape: [big.shape[0], perSample], dtype: 'float32' }, b: tiledInfo },
    backend,
    attrs: {},
  });
  disposeIntermediate(backend, tiledInfo);
  return { dataId: out.dataId, shape: big.shape, dtype: out.dtype };
}

/** `bias` holds exactly one value per channel of `x` (shape [c] or [1,..,1,c]), x has rank >= 3. */
function isBiasFor(bias: tf.TensorInfo, x: tf.TensorInfo): boolean {
  if (bias.dtype !== 'float32' || x.dtype !== 'float32' || x.shape.length < 3) return false;
  const ch = x.shape[x.shape.length - 1];
  const bs = bias.shape;
  return (
    bs.length >= 1 &&
    bs.length <= x.shape.length &&
    bs[bs.length - 1] === ch &&
    bs.slice(0, -1).every((d) => d === 1) &&
    tf.util.sizeFromShape(x.shape) > ch
  );
}

export const addConfig: tf.KernelConfig = {
  kernelName: tf.Add,
  backendName: 'wasm',
  kernelFunc: add as unknown as tf.KernelFunc,
};
