import * as tf from '@tensorflow/tfjs-core'
import { backend_util } from '@tensorflow/tfjs-core'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'
import { asWasmBackend, heapF32, kernelInput, type KernelArgs } from '../common/wasmKernelUtils'
import { FUSED_ACTIVATION_CODES, type NativeKernels } from './nativeKernels'

/**
 * Convolutions (forward and both gradients) and matrix products of the `wasm-blas` rung: tfjs kernel
 * arguments turned into calls of the addon's im2col + SGEMM kernels on the wasm heap. Each returns null
 * for a case it does not cover (NCHW, prelu, batched products...), which then goes to the kernel that
 * was registered before.
 */

/**
 * The tfjs fused activations the addon runs itself (tfjs fuses only linear while training). tfjs's
 * 'leakyrelu' carries its own slope, so it is left to tfjs.
 */
const ACTIVATIONS: Record<string, number> = { linear: FUSED_ACTIVATION_CODES.linear, relu: FUSED_ACTIVATION_CODES.relu, sigmoid: FUSED_ACTIVATION_CODES.sigmoid }

/** [batch, inH, inW, inC, outH, outW, outC, kH, kW, strideH, strideW, padTop, padLeft, dilationH, dilationW] */
function convShape(info: backend_util.Conv2DInfo): Int32Array {
  return Int32Array.of(
    info.batchSize, info.inHeight, info.inWidth, info.inChannels,
    info.outHeight, info.outWidth, info.outChannels,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth,
    info.padInfo.top, info.padInfo.left, info.dilationHeight, info.dilationWidth,
  )
}

export function allFloat32(...tensors: (tf.TensorInfo | undefined)[]): boolean {
  return tensors.every((t) => t == null || t.dtype === 'float32')
}

function isChannelsLast(dataFormat: string): boolean {
  return backend_util.convertConv2DDataFormat(dataFormat as 'NHWC' | 'NCHW') === 'channelsLast'
}

function view(backend: BackendWasm, t: tf.TensorInfo | undefined): Float32Array | null {
  return t == null ? null : heapF32(backend, t)
}

export function convForward(args: KernelArgs, native: NativeKernels): tf.TensorInfo | null {
  const backend = asWasmBackend(args.backend)
  const x = kernelInput(args, 'x')
  const filter = kernelInput(args, 'filter')
  const bias = args.inputs.bias
  const attrs = args.attrs as unknown as tf.FusedConv2DAttrs
  const activation = ACTIVATIONS[attrs.activation ?? 'linear']
  if (activation === undefined || args.inputs.preluActivationWeights != null) return null
  if (!isChannelsLast(attrs.dataFormat) || !allFloat32(x, filter, bias)) return null
  if (bias != null && (bias.shape.length !== 1 || bias.shape[0] !== filter.shape[3])) return null
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    attrs.strides, attrs.dilations, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast',
  )
  const out = backend.makeOutput(info.outShape, 'float32')
  if (info.outShape.some((d) => d === 0)) return out
  native.addon.conv2d(heapF32(backend, x), heapF32(backend, filter), view(backend, bias), heapF32(backend, out), convShape(info), activation)
  return out
}

export function convBackpropInput(args: KernelArgs, native: NativeKernels): tf.TensorInfo | null {
  const backend = asWasmBackend(args.backend)
  const dy = kernelInput(args, 'dy')
  const filter = kernelInput(args, 'filter')
  const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs
  if (!isChannelsLast(attrs.dataFormat) || !allFloat32(dy, filter)) return null
  const info = backend_util.computeConv2DInfo(
    attrs.inputShape, filter.shape as [number, number, number, number],
    attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast',
  )
  const dx = backend.makeOutput([...attrs.inputShape], 'float32')
  if (attrs.inputShape.some((d) => d === 0)) return dx
  native.addon.conv2dBackpropInput(heapF32(backend, dy), heapF32(backend, filter), heapF32(backend, dx), convShape(info))
  return dx
}

export function convBackpropFilter(args: KernelArgs, native: NativeKernels): tf.TensorInfo | null {
  const backend = asWasmBackend(args.backend)
  const x = kernelInput(args, 'x')
  const dy = kernelInput(args, 'dy')
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs
  if (!isChannelsLast(attrs.dataFormat) || !allFloat32(x, dy)) return null
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], attrs.filterShape,
    attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast',
  )
  const dw = backend.makeOutput([...attrs.filterShape], 'float32')
  if (x.shape.some((d) => d === 0)) {
    heapF32(backend, dw).fill(0)
    return dw
  }
  native.addon.conv2dBackpropFilter(heapF32(backend, x), heapF32(backend, dy), heapF32(backend, dw), convShape(info))
  return dw
}

export function matMul(args: KernelArgs, native: NativeKernels): tf.TensorInfo | null {
  const backend = asWasmBackend(args.backend)
  const a = kernelInput(args, 'a')
  const b = kernelInput(args, 'b')
  const bias = args.inputs.bias
  const attrs = args.attrs as unknown as tf.BatchMatMulAttrs & Partial<tf._FusedMatMulAttrs>
  const activation = ACTIVATIONS[attrs.activation ?? 'linear']
  if (activation === undefined || args.inputs.preluActivationWeights != null || !allFloat32(a, b, bias)) return null
  const outer = (shape: number[]) => shape.slice(0, -2).reduce((p, d) => p * d, 1)
  if (outer(a.shape) !== 1 || outer(b.shape) !== 1) return null
  const [aRows, aCols] = a.shape.slice(-2)
  const [bRows, bCols] = b.shape.slice(-2)
  const m = attrs.transposeA ? aCols : aRows
  const k = attrs.transposeA ? aRows : aCols
  const n = attrs.transposeB ? bRows : bCols
  if ((attrs.transposeB ? bCols : bRows) !== k) return null
  if (bias != null && !(bias.shape.length === 1 && bias.shape[0] === n)) return null
  const outerDims = (a.shape.length >= b.shape.length ? a.shape : b.shape).slice(0, -2)
  const out = backend.makeOutput([...outerDims, m, n], 'float32')
  if (m === 0 || n === 0) return out
  if (k === 0) {
    heapF32(backend, out).fill(0)
    return out
  }
  const dims = Int32Array.of(m, n, k, attrs.transposeA ? 1 : 0, attrs.transposeB ? 1 : 0, activation)
  native.addon.matMul(heapF32(backend, a), heapF32(backend, b), view(backend, bias), heapF32(backend, out), dims)
  return out
}

