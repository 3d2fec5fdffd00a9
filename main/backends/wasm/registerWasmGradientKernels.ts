// Side effect: registers the upstream wasm kernels first, so that ours replace
// them (and can delegate to them) instead of being overwritten later.
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { avgPoolGradConfig } from './avgPoolGrad';
import { batchMatMulConfig } from './batchMatMul';
import { addConfig } from './biasAdd';
import { sumConfig } from './biasGradSum';
import { conv2dBackpropFilterConfig } from './conv2dBackpropFilter';
import { conv2dBackpropInputConfig } from './conv2dBackpropInput';
import { identityConfig } from './identity';
import { maxPoolGradConfig } from './maxPoolGrad';
import { getUpstreamKernel, rememberUpstreamKernel } from '../common/wasmKernelUtils';

/** Kernels we add to (Conv2DBackpropFilter) or override in tfjs-backend-wasm 4.22. */
const WASM_GRADIENT_KERNELS: readonly tf.KernelConfig[] = [
  conv2dBackpropFilterConfig,
  conv2dBackpropInputConfig,
  maxPoolGradConfig,
  avgPoolGradConfig,
  batchMatMulConfig,
  identityConfig,
  addConfig,
  sumConfig,
];

const installed = new Set<string>();

/**
 * Registers our kernels for the 'wasm' backend, replacing upstream ones where
 * they exist. Idempotent: a kernel installed once is left alone, even after
 * another layer (the wasm-blas rung's native kernels) wrapped it. Returns the
 * names of all kernels served by this module.
 *
 * Works before or after `tf.setBackend('wasm')`. A replaced upstream kernel
 * keeps being reachable for fallbacks; its setupFunc (which binds the C++
 * function) is forwarded so it also runs when the backend initialises later.
 */
export function registerWasmGradientKernels(): string[] {
  const names: string[] = [];
  for (const config of WASM_GRADIENT_KERNELS) {
    const { kernelName, backendName } = config;
    const existing = tf.getKernel(kernelName, backendName);
    if (!installed.has(kernelName) && existing?.kernelFunc !== config.kernelFunc) {
      if (existing != null) {
        rememberUpstreamKernel(existing);
        tf.unregisterKernel(kernelName, backendName);
      }
      tf.registerKernel({
        ...config,
        setupFunc: (backend) => getUpstreamKernel(kernelName)?.setupFunc?.(backend),
      });
    }
    installed.add(kernelName);
    names.push(kernelName);
  }
  return names;
}
