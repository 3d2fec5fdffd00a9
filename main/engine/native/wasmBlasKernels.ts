import * as tf from '@tensorflow/tfjs-core'
import { backend_util } from '@tensorflow/tfjs-core'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'
import { asWasmBackend, heapF32, kernelInput, type KernelArgs } from '../wasm/wasmKernelUtils'
import { registerActivationGradients } from './activationGradients'
import { registerBatchNormKernels } from './batchNormKernels'
import type { NativeKernels } from './nativeKernels'

/**
 * The kernels of the `wasm-blas` rung: convolutions (forward and both gradients) and matrix products
 * run as im2col + SGEMM in our Node-API addon, directly on the wasm heap (the addon receives Float32Array
 * views, nothing is copied), as do the pooling and bias gradients; batch norm and activation gradients
 * are in batchNormKernels.ts and activationGradients.ts. Every other op stays on tfjs's wasm kernels. A call the native path does not cover (NCHW, prelu, batched products...) goes to the
 * kernel that was registered before, as does every call while the rung is inactive.
 */

type Fallback = (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[]
type NativeKernel = (args: KernelArgs, native: NativeKernels) => tf.TensorInfo | null

const ACTIVATIONS: Record<string, number> = { linear: 0, relu: 1 }

/** [batch, inH, inW, inC, outH, outW, outC, kH, kW, strideH, strideW, padTop, padLeft, dilationH, dilationW] */
function convShape(info: backend_util.Conv2DInfo): Int32Array {
  return Int32Array.of(
    info.batchSize, info.inHeight, info.inWidth, info.inChannels,
    info.outHeight, info.outWidth, info.outChannels,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth,
    info.padInfo.top, info.padInfo.left, info.dilationHeight, info.dilationWidth,
  )
}

function allFloat32(...tensors: (tf.TensorInfo | undefined)[]): boolean {
  return tensors.every((t) => t == null || t.dtype === 'float32')
}

function isChannelsLast(dataFormat: string): boolean {
  return backend_util.convertConv2DDataFormat(dataFormat as 'NHWC' | 'NCHW') === 'channelsLast'
}

function view(backend: BackendWasm, t: tf.TensorInfo | undefined): Float32Array | null {
  return t == null ? null : heapF32(backend, t)
}

function convForward(args: KernelArgs, native: NativeKernels): tf.TensorInfo | null {
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

function convBackpropInput(args: KernelArgs, native: NativeKernels): tf.TensorInfo | null {
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

function convBackpropFilter(args: KernelArgs, native: NativeKernels): tf.TensorInfo | null {
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

function matMul(args: KernelArgs, native: NativeKernels): tf.TensorInfo | null {
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

function poolShape(info: backend_util.Conv2DInfo): Int32Array {
  return Int32Array.of(
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left,
  )
}

function maxPoolGrad(args: KernelArgs, native: NativeKernels): tf.TensorInfo | null {
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

function avgPoolGrad(args: KernelArgs, native: NativeKernels): tf.TensorInfo | null {
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
function channelSum(args: KernelArgs, native: NativeKernels): tf.TensorInfo | null {
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

const NATIVE_KERNELS: Record<string, NativeKernel> = {
  [tf.Conv2D]: convForward,
  [tf.FusedConv2D]: convForward,
  [tf.Conv2DBackpropInput]: convBackpropInput,
  [tf.Conv2DBackpropFilter]: convBackpropFilter,
  [tf.BatchMatMul]: matMul,
  [tf._FusedMatMul]: matMul,
  [tf.MaxPoolGrad]: maxPoolGrad,
  [tf.AvgPoolGrad]: avgPoolGrad,
  [tf.Sum]: channelSum,
}

let activeNative: NativeKernels | null = null
const fallbacks = new Map<string, Fallback>()

/**
 * Installs the native kernels over whatever 'wasm' kernels are registered (ours or upstream) and
 * switches them on or off. Off, every call goes to the kernel that was there before, so the plain
 * `wasm` rung keeps its exact behaviour in the same process.
 */
export function setWasmBlasKernels(native: NativeKernels | null): string[] {
  for (const [kernelName, nativeKernel] of Object.entries(NATIVE_KERNELS)) {
    if (fallbacks.has(kernelName)) continue
    const previous = tf.getKernel(kernelName, 'wasm')
    if (previous == null) throw new Error(`wasm kernel ${kernelName} is not registered`)
    fallbacks.set(kernelName, previous.kernelFunc as unknown as Fallback)
    tf.unregisterKernel(kernelName, 'wasm')
    tf.registerKernel({
      kernelName,
      backendName: 'wasm',
      setupFunc: previous.setupFunc,
      disposeFunc: previous.disposeFunc,
      kernelFunc: ((args: KernelArgs) => {
        const result = activeNative ? nativeKernel(args, activeNative) : null
        return result ?? fallbacks.get(kernelName)!(args)
      }) as unknown as tf.KernelFunc,
    })
  }
  registerBatchNormKernels(() => activeNative)
  registerActivationGradients(() => activeNative)
  activeNative = native
  return Object.keys(NATIVE_KERNELS)
}

/** The native kernels while they serve the wasm backend, else null. */
export function activeNativeKernels(): NativeKernels | null {
  return activeNative
}
