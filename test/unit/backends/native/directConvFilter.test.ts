import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs-core'
import { backend_util } from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import type { NativeKernels } from '../../../../main/backends/native/nativeKernels'
import { createRandom } from '../../../../main/data/pipeline/seededRandom'
import { loadNativeKernelsForTests } from '../../../helpers/nativeKernelsForTests'

/**
 * The filter gradient of the native kernels (directConvFilter.cc, and im2col + SGEMM where it declines)
 * against tfjs's cpu backend, under each algorithm: the direct kernel of the CPU's widest instruction set,
 * its AVX2 build, im2col, and the 'generic' cap (ARM and Apple: im2col only). Shapes around its tiles (12 or
 * 6 rows of dw, 32 or 16 output channels), the window-row tiles of few input channels (copied with their
 * padding), taps that only read padding, chunks of images, and the small maps it leaves to im2col.
 */
const loaded = loadNativeKernelsForTests('direct filter gradient tests')
const native = loaded.native as NativeKernels

interface FilterCase {
  label: string
  n: number
  h: number
  w: number
  ci: number
  co: number
  k: number | [number, number]
  s: number
  pad: 'same' | 'valid' | number
  /** Left to im2col + SGEMM by both direct builds ('both') or by the AVX2 build only ('avx2'). */
  im2col?: 'both' | 'avx2'
}

const CASES: FilterCase[] = [
  { label: 'few input channels, padded (window rows, copied)', n: 3, h: 9, w: 7, ci: 3, co: 5, k: 3, s: 1, pad: 'same' },
  { label: "'same' at stride 2 (padding below and right only)", n: 2, h: 10, w: 10, ci: 13, co: 17, k: 3, s: 2, pad: 'same' },
  { label: "strided 'valid' leaving rows unread", n: 2, h: 12, w: 11, ci: 20, co: 40, k: 3, s: 2, pad: 'valid' },
  { label: "LeNet's first layer (one channel, 5x5)", n: 5, h: 12, w: 12, ci: 1, co: 6, k: 5, s: 1, pad: 'same' },
  { label: "LeNet's second layer (6 channels, 'valid')", n: 4, h: 14, w: 14, ci: 6, co: 16, k: 5, s: 1, pad: 'valid' },
  { label: 'a wide filter (3x5), explicit padding', n: 2, h: 7, w: 9, ci: 14, co: 31, k: [3, 5], s: 1, pad: 2 },
  { label: 'pointwise', n: 3, h: 5, w: 6, ci: 24, co: 33, k: 1, s: 1, pad: 'valid' },
  { label: 'pointwise, stride 2, 4x4 outputs', n: 3, h: 8, w: 8, ci: 16, co: 20, k: 1, s: 2, pad: 'valid', im2col: 'avx2' },
  { label: 'pointwise, stride 2, 2x2 outputs', n: 5, h: 4, w: 4, ci: 32, co: 24, k: 1, s: 2, pad: 'valid', im2col: 'both' },
  { label: '3x3 stride 2 of a 4x4 map padded before, into 1x1', n: 3, h: 4, w: 4, ci: 20, co: 24, k: 3, s: 2, pad: 'valid', im2col: 'both' },
  { label: '3x3 of 1x1 maps: eight taps read only padding', n: 7, h: 1, w: 1, ci: 40, co: 24, k: 3, s: 1, pad: 'same' },
  { label: '3x3 of 4x4 maps', n: 5, h: 4, w: 4, ci: 19, co: 21, k: 3, s: 1, pad: 'same' },
  { label: '3x3 of 2x2 maps', n: 6, h: 2, w: 2, ci: 30, co: 50, k: 3, s: 1, pad: 'same', im2col: 'avx2' },
  { label: '3x3 stride 2, 2x2 into 1x1', n: 4, h: 2, w: 2, ci: 25, co: 9, k: 3, s: 2, pad: 'same', im2col: 'avx2' },
  { label: 'a batch of one', n: 1, h: 8, w: 8, ci: 7, co: 3, k: 3, s: 1, pad: 'same' },
  { label: 'AlexNet-like 11x11 stride 4', n: 2, h: 27, w: 27, ci: 3, co: 4, k: 11, s: 4, pad: 'valid' },
  // Chunks of about 128 Ki floats of input and dy on AVX-512 (32 Ki on AVX2): 3 (1) and 8 (2) images here, at
  // least 256 output pixels. A tile's sums go to dw every 256 pixels. A padded copy of the whole batch up to 1 Mi
  // floats, else one per chunk (the last case: 40 images of 164 x 164).
  { label: 'chunks of images, 2,304 pixels a tile', n: 9, h: 48, w: 48, ci: 13, co: 3, k: 3, s: 1, pad: 'same' },
  { label: 'chunks of padded window rows', n: 20, h: 64, w: 64, ci: 3, co: 2, k: 7, s: 2, pad: 'same' },
  { label: 'padded window rows copied a chunk at a time', n: 40, h: 160, w: 160, ci: 1, co: 2, k: 5, s: 2, pad: 'same' },
]

const ALGORITHMS = ['direct', 'direct-avx2', 'im2col', 'generic cap'] as const

function kernelSize(c: FilterCase): [number, number] {
  return typeof c.k === 'number' ? [c.k, c.k] : c.k
}

function convInfo(c: FilterCase): backend_util.Conv2DInfo {
  const [kh, kw] = kernelSize(c)
  const pad = typeof c.pad === 'number' ? ([[0, 0], [c.pad, c.pad], [c.pad, c.pad], [0, 0]] as backend_util.ExplicitPadding) : c.pad
  return backend_util.computeConv2DInfo([c.n, c.h, c.w, c.ci], [kh, kw, c.ci, c.co], c.s, 1, pad)
}

/** [batch, inH, inW, inC, outH, outW, outC, kH, kW, strideH, strideW, padTop, padLeft, dilationH, dilationW] */
function shapeOf(info: backend_util.Conv2DInfo): Int32Array {
  return Int32Array.of(
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth, info.outChannels,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left, 1, 1,
  )
}

/** max |a-b| / max(1,|b|) */
function maxRelDiff(a: Float32Array, b: Float32Array): number {
  let m = 0
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i]))
    m = Number.isNaN(d) ? Infinity : Math.max(m, d)
  }
  return m
}

/** The kernel that should run: the direct build asked for, unless capped to generic or left to im2col on that shape. */
function expectedKernel(c: FilterCase, algorithm: (typeof ALGORITHMS)[number]): string {
  if (algorithm === 'im2col' || algorithm === 'generic cap' || native.isa === 'generic') return 'im2col'
  const direct = algorithm === 'direct-avx2' ? 'avx2' : native.isa
  return c.im2col === 'both' || c.im2col === direct ? 'im2col' : `direct-${direct}`
}

describe.skipIf(loaded.unavailable)('the native filter gradient against the cpu backend', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu')
  })

  afterEach(() => {
    native.addon.setInstructionSet(native.isa)
    native.addon.setConvAlgorithm('direct')
  })

  it.each(CASES)('$label', (c) => {
    const rand = createRandom(c.n * 1000 + c.ci * 10 + c.co)
    const info = convInfo(c)
    const [kh, kw] = kernelSize(c)
    const x = Float32Array.from({ length: c.n * c.h * c.w * c.ci }, () => rand() * 2 - 1)
    const dy = Float32Array.from({ length: c.n * info.outHeight * info.outWidth * c.co }, () => rand() * 2 - 1)
    const pad = typeof c.pad === 'number' ? ([[0, 0], [c.pad, c.pad], [c.pad, c.pad], [0, 0]] as backend_util.ExplicitPadding) : c.pad
    // The cpu backend's own kernel (it sums in double precision).
    const reference = tf.tidy(() => {
      const inputs = { x: tf.tensor4d(x, [c.n, c.h, c.w, c.ci]), dy: tf.tensor4d(dy, [c.n, info.outHeight, info.outWidth, c.co]) }
      const attrs = { strides: c.s, pad, dataFormat: 'NHWC', filterShape: [kh, kw, c.ci, c.co] }
      const dw = tf.engine().runKernel(tf.Conv2DBackpropFilter, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor
      return dw.dataSync() as Float32Array
    })
    for (const algorithm of ALGORITHMS) {
      native.addon.setInstructionSet(algorithm === 'generic cap' ? 'generic' : native.isa)
      native.addon.setConvAlgorithm(algorithm === 'generic cap' ? 'direct' : algorithm)
      // Filled with NaN, so that a weight the kernel never writes fails the comparison.
      const dw = new Float32Array(reference.length).fill(Number.NaN)
      const kernel = native.addon.conv2dBackpropFilter(x, dy, dw, shapeOf(info))
      expect(kernel, algorithm).toBe(expectedKernel(c, algorithm))
      const diff = maxRelDiff(dw, reference)
      expect(diff, `${algorithm} (${kernel}): max difference ${diff}`).toBeLessThan(1e-4)
    }
  })

  // The direct kernel's team splits dw, not the pixels: each weight is the same sum in the same order.
  it('gives the same gradient on one thread as on every core', () => {
    const c = CASES[1]
    const rand = createRandom(9)
    const info = convInfo(c)
    const x = Float32Array.from({ length: c.n * c.h * c.w * c.ci }, () => rand() - 0.5)
    const dy = Float32Array.from({ length: c.n * info.outHeight * info.outWidth * c.co }, () => rand() - 0.5)
    const run = () => {
      const dw = new Float32Array(9 * c.ci * c.co)
      native.addon.conv2dBackpropFilter(x, dy, dw, shapeOf(info))
      return dw
    }
    const all = run()
    native.addon.setThreads(1)
    try {
      expect(maxRelDiff(run(), all)).toBeLessThanOrEqual(native.isa === 'generic' ? 1e-5 : 0)
    } finally {
      native.addon.setThreads(0)
    }
  })
})
