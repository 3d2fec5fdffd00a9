import * as tf from '@tensorflow/tfjs-core'
import { asWasmBackend, heapF32, heapOffset, kernelInput, type KernelArgs } from '../common/wasmKernelUtils'
import type { NativeKernels } from './nativeKernels'
import { BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD, registerBatchNormTrainGradient } from '../common/batchNormKernel'

/**
 * Training-mode batch normalization as two kernels of the `wasm-blas` rung (see batchNormKernels.cc):
 * forward gives [y, mean, variance], its gradient gives [dx, dgamma, dbeta]. Only for channels-last
 * float32 input normalized over every axis but the last, which is what our networks build.
 */

interface BatchNormAttrs {
  epsilon: number
}

function rowsAndChannels(x: tf.TensorInfo): Int32Array {
  const channels = x.shape[x.shape.length - 1]
  return Int32Array.of(x.shape.reduce((p, d) => p * d, 1) / channels, channels)
}

function forwardKernel(native: () => NativeKernels | null) {
  return (args: KernelArgs): tf.TensorInfo[] => {
    const kernels = native()
    if (!kernels) throw new Error(`${BATCH_NORM_TRAIN} needs the native kernels (wasm-blas rung)`)
    const backend = asWasmBackend(args.backend)
    const x = kernelInput(args, 'x')
    const gamma = kernelInput(args, 'gamma')
    const beta = kernelInput(args, 'beta')
    const { epsilon } = args.attrs as unknown as BatchNormAttrs
    const channels = x.shape[x.shape.length - 1]
    const y = backend.makeOutput([...x.shape], 'float32')
    const mean = backend.makeOutput([channels], 'float32')
    const variance = backend.makeOutput([channels], 'float32')
    kernels.addon.batchNormForward(
      heapF32(backend, x), heapF32(backend, gamma), heapF32(backend, beta),
      heapF32(backend, y), heapF32(backend, mean), heapF32(backend, variance), rowsAndChannels(x), epsilon,
    )
    return [y, mean, variance]
  }
}

function backwardKernel(native: () => NativeKernels | null) {
  return (args: KernelArgs): tf.TensorInfo[] => {
    const kernels = native()
    if (!kernels) throw new Error(`${BATCH_NORM_TRAIN_GRAD} needs the native kernels (wasm-blas rung)`)
    const backend = asWasmBackend(args.backend)
    const [dy, x, gamma, mean, variance] = ['dy', 'x', 'gamma', 'mean', 'variance'].map((name) => kernelInput(args, name))
    const { epsilon } = args.attrs as unknown as BatchNormAttrs
    const channels = x.shape[x.shape.length - 1]
    const dx = backend.makeOutput([...x.shape], 'float32')
    const dgamma = backend.makeOutput([channels], 'float32')
    const dbeta = backend.makeOutput([channels], 'float32')
    kernels.addon.batchNormBackward(
      heapF32(backend, dy), heapF32(backend, x), heapF32(backend, gamma), heapF32(backend, mean), heapF32(backend, variance),
      heapF32(backend, dx), heapF32(backend, dgamma), heapF32(backend, dbeta), rowsAndChannels(x), epsilon,
    )
    return [dx, dgamma, dbeta]
  }
}

let registered = false

/** Registers both kernels for 'wasm' and the forward's gradient; `native` says which kernels serve them now. */
export function registerBatchNormKernels(native: () => NativeKernels | null): void {
  if (registered) return
  registered = true
  tf.registerKernel({ kernelName: BATCH_NORM_TRAIN, backendName: 'wasm', kernelFunc: forwardKernel(native) as unknown as tf.KernelFunc })
  tf.registerKernel({ kernelName: BATCH_NORM_TRAIN_GRAD, backendName: 'wasm', kernelFunc: backwardKernel(native) as unknown as tf.KernelFunc })
  registerBatchNormTrainGradient()
}

/**
 * [y, mean, variance] of training-mode batch norm over all axes but the last, on the native kernels; null
 * where they do not serve the current backend (the caller then composes it from tfjs ops).
 */
export function nativeBatchNormTraining(
  native: NativeKernels | null, x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number,
): [tf.Tensor, tf.Tensor, tf.Tensor] | null {
  if (!native || !registered || tf.getBackend() !== 'wasm' || x.dtype !== 'float32' || x.size === 0) return null
  return tf.engine().runKernel(BATCH_NORM_TRAIN, { x, gamma, beta }, { epsilon }) as [tf.Tensor, tf.Tensor, tf.Tensor]
}

/**
 * moving = moving - (moving - value) * (1 - momentum), written into the variable's buffer in the wasm heap:
 * tfjs-layers' update of a moving statistic, in float32 and its order (so bit-identical), without the three
 * kernels and tape nodes it costs per statistic (342 of a GoogLeNet step's ~2,300 kernels). False, having
 * changed nothing, where the backend is not wasm or the buffer is shared; the caller then uses tfjs ops.
 */
export function updateMovingAverageInPlace(moving: tf.Tensor, value: tf.Tensor, momentum: number): boolean {
  if (tf.getBackend() !== 'wasm' || moving.size !== value.size) return false
  const target = heapOffset(moving, true)
  const source = heapOffset(value, false)
  if (target === undefined || source === undefined) return false
  const heap = new Float32Array((asWasmBackend(tf.engine().backend).wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8.buffer)
  const rate = Math.fround(1 - momentum)
  for (let i = 0; i < moving.size; i++) {
    const current = heap[target + i]
    heap[target + i] = current - Math.fround(Math.fround(current - heap[source + i]) * rate)
  }
  return true
}
