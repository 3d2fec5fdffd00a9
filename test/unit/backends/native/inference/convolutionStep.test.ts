import { describe, expect, it } from 'vitest'
import type { NativeKernels } from '../../../../../main/backends/native/nativeKernels'
import { cropUnreadTaps, winogradPays, type ConvGeometry } from '../../../../../main/backends/native/inference/convolutionStep'

/**
 * How the compiled plan prepares a convolution: which ones run as Winograd, and the filter cropped to the taps
 * that read the image (what conv2d would otherwise crop, copying, on every call). The numbers themselves are
 * checked against tfjs in inferencePlan.test.ts; these pin the choices.
 */

/** [inH, inW, inC, outH, outW, outC, kh, kw, strideH, strideW, padTop, padLeft, dilationH, dilationW] */
const same3x3 = (size: number, inC: number, outC: number): ConvGeometry => [size, size, inC, size, size, outC, 3, 3, 1, 1, 1, 1, 1, 1]
const native = (isa: NativeKernels['isa']) => ({ isa }) as NativeKernels

describe('winogradPays', () => {
  it("takes ResNet-18's stride-1 3x3 convolutions of 8x8, 4x4 and (AVX-512 only) 2x2 maps, and larger maps", () => {
    expect(winogradPays(native('avx512'), same3x3(8, 64, 64))).toBe(true)
    expect(winogradPays(native('avx2'), same3x3(56, 64, 64))).toBe(true)
    expect(winogradPays(native('avx2'), same3x3(4, 128, 128))).toBe(true)
    expect(winogradPays(native('avx512'), same3x3(2, 256, 256))).toBe(true)
    expect(winogradPays(native('avx2'), same3x3(2, 256, 256))).toBe(false)
  })

  it('leaves 1x1 maps, few channels, strides, other paddings and the generic build to conv2d', () => {
    expect(winogradPays(native('avx512'), same3x3(1, 512, 512))).toBe(false)
    expect(winogradPays(native('avx512'), same3x3(8, 16, 64))).toBe(false)
    expect(winogradPays(native('avx512'), same3x3(8, 64, 16))).toBe(false)
    expect(winogradPays(native('avx512'), [8, 8, 64, 4, 4, 64, 3, 3, 2, 2, 0, 0, 1, 1])).toBe(false)
    expect(winogradPays(native('avx512'), [8, 8, 64, 6, 6, 64, 3, 3, 1, 1, 0, 0, 1, 1])).toBe(false)
    expect(winogradPays(native('generic'), same3x3(8, 64, 64))).toBe(false)
  })
})

describe('cropUnreadTaps', () => {
  /** A filter whose every weight names its tap: 10 x (kh * 3 + kw) + 1, over 2 x 2 channels. */
  const filter = Float32Array.from({ length: 9 * 4 }, (_, i) => 10 * Math.floor(i / 4) + 1)

  it('keeps the 2x2 taps a stride-2 convolution of a 2x2 map reads, with no padding left before', () => {
    const { geometry, filter: cropped } = cropUnreadTaps([2, 2, 2, 1, 1, 2, 3, 3, 2, 2, 0, 0, 1, 1], filter)
    expect(geometry).toEqual([2, 2, 2, 1, 1, 2, 2, 2, 2, 2, 0, 0, 1, 1])
    expect(Array.from(cropped).filter((_, i) => i % 4 === 0)).toEqual([1, 11, 31, 41])
  })

  it("keeps the centre tap of a 3x3 'same' convolution of a 1x1 map", () => {
    const { geometry, filter: cropped } = cropUnreadTaps([1, 1, 2, 1, 1, 2, 3, 3, 1, 1, 1, 1, 1, 1], filter)
    expect(geometry).toEqual([1, 1, 2, 1, 1, 2, 1, 1, 1, 1, 0, 0, 1, 1])
    expect(Array.from(cropped)).toEqual([41, 41, 41, 41])
  })

  it('returns the filter itself where every tap reads the image', () => {
    const geometry = same3x3(4, 2, 2)
    const kept = cropUnreadTaps(geometry, filter)
    expect(kept.geometry).toBe(geometry)
    expect(kept.filter).toBe(filter)
  })
})
