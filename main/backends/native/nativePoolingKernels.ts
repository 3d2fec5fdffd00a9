import * as tf from '@tensorflow/tfjs-core'
import { backend_util } from '@tensorflow/tfjs-core'
import { asWasmBackend, heapF32, kernelInput, type KernelArgs } from '../common/wasmKernelUtils'
import { allFloat32 } from './nativeConvKernels'
import type { NativeKernels } from './nativeKernels'

/**
 * Pooling gradients and the bias gradient (a sum over every axis but the last) of the `wasm-blas` rung,
 * on the addon's kernels. Null for what they do not cover.
 */

/** [batch, inH, inW, channels, outH, outW, filterH, filterW, strideH, strideW, padTop, padLeft] */
export function poolShape(info: backend_util.Conv2DInfo): Int32Array {
  return Int32Array.of(
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left,
  )
}

export function maxPoolGrad(args: KernelArgs, native: NativeKernels): tf.TensorInfo | null {
  const backend = asWasmBackend(args.backend)
  const dy = kernelInput(args, 'dy')
  const input = kernelInput(args, 'input')
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as tf.MaxPoolGradAttrs
  if (!allFloat32(dy, input)) return null
  const info = backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode)
  if (input.shape.some((d) => d === 0) || info.outHeight === 0 || info.outWidth === 0) return null
  const dx = backend.makeOutput([...input.shape], 'float32')
  native.addon.maxPoolGrad(heapF32(backend, dy), heapF32(backend, input), heapF32(backend, dx), poolShape(info))
  return dx
}

export function avgPoolGrad(args: KernelArgs, native: NativeKernels): tf.TensorInfo | null {
  const backend = asWasmBackend(args.backend)
  const dy = kernelInput(args, 'dy')
  const input = kernelInput(args, 'input')
  const { filterSize, strides, pad } = args.attrs as unknown as tf.AvgPoolGradAttrs
  if (!allFloat32(dy, input)) return null
  const info = backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad)
  const p = info.padInfo
  const tiled =
    info.filterHeight === info.strideHeight && info.filterWidth === info.strideWidth && p.top + p.left + p.bottom + p.right === 0 &&
    info.outHeight > 0 && info.outWidth > 0 && info.outHeight * info.filterHeight <= info.inHeight && info.outWidth * info.filterWidth <= info.inWidth
  if (!tiled || input.shape.some((d) => d === 0)) return null
  const dx = backend.makeOutput([...input.shape], 'float32')
  native.addon.avgPoolGradTiled(heapF32(backend, dy), heapF32(backend, dx), poolShape(info))
  return dx
}

/** Sum over every axis but the last: the bias gradient of every layer. Other sums stay on wasm. */
export function channelSum(args: KernelArgs, native: NativeKernels): tf.TensorInfo | null {
  const backend = asWasmBackend(args.backend)
  const x = kernelInput(args, 'x')
  const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs
  const rank = x.shape.length
  if (rank < 2 || x.dtype !== 'float32' || x.shape.some((d) => d === 0)) return null
  const axes = tf.util.parseAxisParam(axis, x.shape).sort((p, q) => p - q)
  if (axes.length !== rank - 1 || !axes.every((ax, i) => ax === i)) return null
  const channels = x.shape[rank - 1]
  const out = backend.makeOutput(keepDims ? [...x.shape.slice(0, -1).map(() => 1), channels] : [channels], 'float32')
  native.addon.channelSum(heapF32(backend, x), heapF32(backend, out), Int32Array.of(tf.util.sizeFromShape(x.shape) / channels, channels))
  return out
}

