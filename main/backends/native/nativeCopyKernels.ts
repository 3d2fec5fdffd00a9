import * as tf from '@tensorflow/tfjs-core'
import { backend_util, slice_util } from '@tensorflow/tfjs-core'
import { asWasmBackend, heapF32, kernelInput, type KernelArgs } from '../common/wasmKernelUtils'
import { allFloat32 } from './nativeConvKernels'
import type { NativeKernels } from './nativeKernels'

/**
 * Slices and splits of the `wasm-blas` rung on the addon's strided copy: tfjs's wasm Slice copies its whole
 * input out of the heap and then the slice element by element on one thread (Concat's gradient along
 * channels and PadV2's were 25.7 ms of GoogLeNet's CPU-preset step, a 64x18x18x64 crop 3.9 ms). Small
 * tensors stay on wasm's kernel: a guess from before the addon read its core count once (then ~10 us a
 * call); since then one addon call measured ~4 us against wasm's ~5 even at 2x3x3x8, so the bound could go.
 */
const MIN_FLOATS = 4096
const MAX_RANK = 6

function copySlice(backend: ReturnType<typeof asWasmBackend>, native: NativeKernels, x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
  const y = backend.makeOutput(size, 'float32')
  // Views only after the output exists: its allocation may grow (and detach) the heap.
  native.addon.sliceCopy(heapF32(backend, x), heapF32(backend, y), Int32Array.of(x.shape.length, ...x.shape, ...begin, ...size))
  return y
}

function covered(x: tf.TensorInfo): boolean {
  return allFloat32(x) && x.shape.length >= 1 && x.shape.length <= MAX_RANK && tf.util.sizeFromShape(x.shape) >= MIN_FLOATS
}

export function slice(args: KernelArgs, native: NativeKernels): tf.TensorInfo | null {
  const x = kernelInput(args, 'x')
  if (!covered(x)) return null
  const attrs = args.attrs as unknown as tf.SliceAttrs
  const [begin, size] = slice_util.parseSliceParams(x as tf.Tensor, attrs.begin, attrs.size)
  if (size.some((d) => d === 0)) return null
  return copySlice(asWasmBackend(args.backend), native, x, begin, size)
}

export function splitV(args: KernelArgs, native: NativeKernels): tf.TensorInfo[] | null {
  const x = kernelInput(args, 'x')
  if (!covered(x)) return null
  const { numOrSizeSplits, axis } = args.attrs as unknown as tf.SplitVAttrs
  const along = tf.util.parseAxisParam(axis, x.shape)[0]
  const sizes = backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, along)
  if (sizes.some((d) => d === 0)) return null
  const backend = asWasmBackend(args.backend)
  const begin = x.shape.map(() => 0)
  return sizes.map((length) => {
    const size = [...x.shape]
    size[along] = length
    const part = copySlice(backend, native, x, [...begin], size)
    begin[along] += length
    return part
  })
}
