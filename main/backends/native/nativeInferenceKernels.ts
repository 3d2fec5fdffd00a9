import * as tf from '@tensorflow/tfjs-core'
import { backend_util } from '@tensorflow/tfjs-core'
import { asWasmBackend, heapF32, kernelInput, type KernelArgs } from '../common/wasmKernelUtils'
import { allFloat32 } from './nativeConvKernels'
import type { NativeKernels } from './nativeKernels'
import { poolShape } from './nativePoolingKernels'

/**
 * The forward kernels inference spends its time in besides convolutions, on the `wasm-blas` rung: batch
 * norm with moving statistics (tfjs-layers' inference path), max and average pooling, and the zero
 * padding ResNet puts before its strided convolutions. tfjs's wasm kernels for these run on one core,
 * ours on all. Null for what they do not cover (the kernel registered before runs it).
 */

export function batchNormInference(args: KernelArgs, native: NativeKernels): tf.TensorInfo | null {
  const backend = asWasmBackend(args.backend)
  const x = kernelInput(args, 'x')
  const { mean, variance, offset, scale } = args.inputs
  const { varianceEpsilon } = args.attrs as unknown as tf.FusedBatchNormAttrs
  const channels = x.shape[x.shape.length - 1]
  const perChannel = (t: tf.TensorInfo | undefined) => t == null || (t.shape.length === 1 && t.shape[0] === channels)
  if (x.shape.length < 1 || mean == null || variance == null || !allFloat32(x, mean, variance, offset, scale)) return null
  if (![mean, variance, offset, scale].every(perChannel) || x.shape.some((d) => d === 0)) return null
  const y = backend.makeOutput([...x.shape], 'float32')
  const view = (t: tf.TensorInfo | undefined) => (t == null ? null : heapF32(backend, t))
  native.addon.batchNormInference(
    heapF32(backend, x), heapF32(backend, mean), heapF32(backend, variance), view(offset), view(scale), heapF32(backend, y),
    Int32Array.of(tf.util.sizeFromShape(x.shape) / channels, channels), varianceEpsilon,
  )
  return y
}

function pool(args: KernelArgs, native: NativeKernels, mode: 0 | 1): tf.TensorInfo | null {
  const backend = asWasmBackend(args.backend)
  const x = kernelInput(args, 'x')
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as tf.MaxPoolAttrs
  if (x.shape.length !== 4 || !allFloat32(x) || x.shape.some((d) => d === 0)) return null
  const info = backend_util.computePool2DInfo(x.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode)
  if (info.outHeight <= 0 || info.outWidth <= 0) return null
  const y = backend.makeOutput([...info.outShape], 'float32')
  native.addon.pool2d(heapF32(backend, x), heapF32(backend, y), poolShape(info), mode)
  return y
}

export const maxPool = (args: KernelArgs, native: NativeKernels) => pool(args, native, 0)
export const avgPool = (args: KernelArgs, native: NativeKernels) => pool(args, native, 1)

/** Constant padding of the two spatial axes of an NHWC tensor: a row copy per input row. */
export function padSpatial(args: KernelArgs): tf.TensorInfo | null {
  const backend = asWasmBackend(args.backend)
  const x = kernelInput(args, 'x')
  const { paddings, constantValue } = args.attrs as unknown as tf.PadV2Attrs
  if (x.shape.length !== 4 || !allFloat32(x) || x.shape.some((d) => d === 0)) return null
  const [[n0, n1], [top, bottom], [left, right], [c0, c1]] = paddings
  if (n0 || n1 || c0 || c1 || [top, bottom, left, right].some((p) => p < 0)) return null
  const [batch, inH, inW, channels] = x.shape
  const outH = inH + top + bottom
  const outW = inW + left + right
  const y = backend.makeOutput([batch, outH, outW, channels], 'float32')
  const from = heapF32(backend, x)
  const to = heapF32(backend, y)
  to.fill(constantValue)
  const rowLength = inW * channels
  for (let n = 0; n < batch; n++) {
    for (let h = 0; h < inH; h++) {
      const source = (n * inH + h) * rowLength
      to.set(from.subarray(source, source + rowLength), ((n * outH + h + top) * outW + left) * channels)
    }
  }
  return y
}
