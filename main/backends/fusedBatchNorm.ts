import type * as tf from '@tensorflow/tfjs-core'
import { nativeBatchNormTraining, updateMovingAverageInPlace } from './native/batchNormKernels'
import { activeNativeKernels } from './native/wasmBlasKernels'
import { webGpuBatchNormTraining } from './webgpu/kernels/batchNormKernels'

/** Whether the current backend has fused training-mode batch-norm kernels (wasm-blas's native ones, our WGSL ones). */
export function hasFusedBatchNorm(backendName: string): boolean {
  return !!activeNativeKernels() || backendName === 'webgpu'
}

/**
 * [y, mean, variance] of training-mode batch norm over all axes but the last on the current backend's fused
 * kernels; null where none serves it (the layer then composes it from tfjs ops).
 */
export function fusedBatchNormTraining(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): [tf.Tensor, tf.Tensor, tf.Tensor] | null {
  return nativeBatchNormTraining(activeNativeKernels(), x, gamma, beta, epsilon) ?? webGpuBatchNormTraining(x, gamma, beta, epsilon)
}

/**
 * Applies the moving-average update of a batch statistic in place where the backend allows it (wasm-blas,
 * bit-identical to the tfjs ops); false where the caller must compose it from tfjs ops.
 */
export function updateMovingAverage(moving: tf.Tensor, value: tf.Tensor, momentum: number): boolean {
  return !!activeNativeKernels() && updateMovingAverageInPlace(moving, value, momentum)
}
