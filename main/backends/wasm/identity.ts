import * as tf from '@tensorflow/tfjs-core';
import type { KernelArgs } from '../common/wasmKernelUtils';
import { asWasmBackend, callUpstreamKernel, kernelInput } from '../common/wasmKernelUtils';

/**
 * Zero-copy Identity. Upstream wasm memcpy's the whole tensor; a LeNet step
 * issues ~36 Identity calls (layers/optimizer bookkeeping and gradient
 * plumbing), three of them on the [N,28,28,6] activation. tfjs tensor data is
 * immutable (variables swap dataIds on assign, kernels never write inputs),
 * so sharing the buffer with a ref-count bump is safe; it is exactly what the
 * cpu and webgl backends' Identity and wasm's own Reshape do.
 */
export function identity(args: KernelArgs): tf.TensorInfo {
  const x = kernelInput(args, 'x');
  if (x.dtype === 'string') return callUpstreamKernel(tf.Identity, args);
  asWasmBackend(args.backend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export const identityConfig: tf.KernelConfig = {
  kernelName: tf.Identity,
  backendName: 'wasm',
  kernelFunc: identity as unknown as tf.KernelFunc,
};
