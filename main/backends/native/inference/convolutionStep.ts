import { environment } from '../../../config/environment'
import type { NativeKernels } from '../nativeKernels'

/** conv2d's shape without its batch: [inH, inW, inC, outH, outW, outC, kh, kw, strideH, strideW, padTop, padLeft, dilationH, dilationW]. */
export type ConvGeometry = number[]

/**
 * Whether a compiled convolution runs as Winograd F(2x2, 3x3) (winogradConv.cc): 16 products per 2x2 outputs
 * where the direct kernel multiplies up to 36 taps. Stride-1 3x3 'same' convolutions of 2x2 maps and larger
 * (4x4 on AVX2), faster at every size measured: ResNet-18 at 32 px, batch 64, 2 cores, each convolution alone,
 * AVX-512: 8x8x64 1.29 -> 0.85 ms, 4x4x128 1.08 -> 0.74, 2x2x256 1.10 -> 0.76, 16x16x64 6.5 -> 4.2, and
 * 24x24x64 14.9 -> 7.9, 32x32x64 (batch 16) 8.4 -> 3.4, 56x56x64 (batch 4) 5.1 -> 4.4, 112x112x32 (batch 2)
 * 2.4 -> 1.5, 24x24x64 at batch 1 (ResNet-18 at 96 px, one dropped image) 0.23 -> 0.12; in the
 * compiled plan, AVX-512: 1.36 -> 0.86, 1.15 -> 0.78, 0.96 -> 0.82; AVX2: 1.41 -> 0.95, 1.16 -> 0.94, but
 * 2x2x256 0.91 -> 0.98 (its 6-row tile; the packed filter is 16/9 of the filter, read from memory each call).
 * A 1x1 map keeps its one tap (Winograd would make it 16 products); under 32 channels in or out the transforms
 * and the 32-channel blocks outweigh the products (VGG-11 at 1/8 width, batch 128: 16x16x8 -> 16 0.66 -> 1.57
 * ms, 8x8x16 -> 32 0.45 -> 0.49, but 8x8x32 -> 32 0.77 -> 0.71); the generic build keeps im2col + BLAS (ARM
 * and Apple: not measured there).
 */
export function winogradPays(native: NativeKernels, geometry: ConvGeometry): boolean {
  const [inH, inW, inC, outH, outW, outC, kh, kw, strideH, strideW, padTop, padLeft, dilationH, dilationW] = geometry
  if (environment('WORKBENCH_WINOGRAD') === 'off' || native.isa === 'generic') return false
  const square3x3 = kh === 3 && kw === 3 && strideH === 1 && strideW === 1 && dilationH === 1 && dilationW === 1
  const same = padTop === 1 && padLeft === 1 && outH === inH && outW === inW
  return square3x3 && same && Math.min(inH, inW) >= (native.isa === 'avx512' ? 2 : 4) && inC >= 32 && outC >= 32
}

/** The taps along one axis that some output reads inside the image, [first, last] (convKernels.cc's tapsInside). */
function tapsInside(taps: number, outSize: number, inSize: number, stride: number, pad: number, dilation: number): [number, number] {
  let [lo, hi] = [taps, -1]
  for (let tap = 0; tap < taps; tap++) {
    const first = tap * dilation - pad
    const j = first >= 0 ? 0 : Math.ceil(-first / stride)
    if (j < outSize && first + j * stride < inSize) [lo, hi] = [Math.min(lo, tap), Math.max(hi, tap)]
  }
  return [lo, hi]
}

/**
 * The filter without the taps that only ever read padding, and the geometry that goes with it: what conv2d
 * does on every call (convKernels.cc's cropTaps), done once. Where the kept taps are not one contiguous run
 * conv2d copies them each call: ResNet-18's 3x3 stride-2 convolution of its 2x2x256 maps keeps 4 of 9 taps,
 * 2 MiB copied out of a 4.7 MiB filter every batch (0.72 -> 0.52 ms in the plan).
 */
export function cropUnreadTaps(geometry: ConvGeometry, filter: Float32Array): { geometry: ConvGeometry; filter: Float32Array } {
  const [inH, inW, inC, outH, outW, outC, kh, kw, strideH, strideW, padTop, padLeft, dilationH, dilationW] = geometry
  const [h0, h1] = tapsInside(kh, outH, inH, strideH, padTop, dilationH)
  const [w0, w1] = tapsInside(kw, outW, inW, strideW, padLeft, dilationW)
  const whole = h0 === 0 && h1 === kh - 1 && w0 === 0 && w1 === kw - 1
  const [top, left] = [padTop - h0 * dilationH, padLeft - w0 * dilationW]
  if (h0 > h1 || w0 > w1 || whole || top < 0 || left < 0) return { geometry, filter }
  const [keptH, keptW, block] = [h1 - h0 + 1, w1 - w0 + 1, inC * outC]
  const cropped = new Float32Array(keptH * keptW * block)
  for (let i = 0; i < keptH; i++) {
    for (let j = 0; j < keptW; j++) {
      const from = ((i + h0) * kw + j + w0) * block
      cropped.set(filter.subarray(from, from + block), (i * keptW + j) * block)
    }
  }
  const kept = [...geometry]
  ;[kept[6], kept[7], kept[10], kept[11]] = [keptH, keptW, top, left]
  return { geometry: kept, filter: cropped }
}

interface ConvolutionStep {
  native: NativeKernels
  geometry: ConvGeometry
  filter: Float32Array
  bias: Float32Array | null
  activation: number
  source: string
  output: string
  residual?: string
}

/**
 * A compiled convolution's run. Where Winograd pays, its filter is transformed here, once; a call the addon
 * declines (the 'im2col' algorithm, which tests compare) runs conv2d on the filter as it was. Elsewhere conv2d
 * runs on the filter cropped to the taps that read the image.
 */
export function convolutionRun(step: ConvolutionStep): (buffers: Map<string, Float32Array>, batch: number) => void {
  const { native, bias, activation, source, output, residual } = step
  const packed = winogradPays(native, step.geometry) ? native.addon.winogradFilter(step.filter, Int32Array.of(step.geometry[2], step.geometry[5])) : null
  const { geometry, filter } = packed ? step : cropUnreadTaps(step.geometry, step.filter)
  return (buffers, batch) => {
    const shape = Int32Array.of(batch, ...geometry)
    const x = buffers.get(source)!
    const y = buffers.get(output)!
    const sum = residual === undefined ? null : buffers.get(residual)!
    if (packed && native.addon.conv2dWinograd(x, packed, bias, y, shape, activation, sum)) return
    native.addon.conv2d(x, filter, bias, y, shape, activation, sum)
  }
}
