import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import type { NativeKernels } from '../../../../main/backends/native/nativeKernels'
import { createRandom } from '../../../../main/data/pipeline/seededRandom'
import { loadNativeKernelsForTests } from '../../../helpers/nativeKernelsForTests'

/**
 * Winograd F(2x2, 3x3) (winogradConv.cc, the inference plan's stride-1 3x3 kernel) against tfjs's cpu
 * backend, from the filter the addon transforms and packs: the AVX-512, AVX2 and portable builds (the last
 * under the 'generic' cap), odd batches, channel counts off the vector widths and the 32-channel blocks,
 * 2x2 to 8x8 maps and an odd one (its last tiles half outside), with bias, residual and each activation.
 */
const loaded = loadNativeKernelsForTests('Winograd convolution tests')
const native = loaded.native as NativeKernels

interface Case {
  label: string
  n: number
  h: number
  w: number
  ci: number
  co: number
  bias: boolean
  residual: boolean
  activation: 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'leakyRelu'
}

const CASES: Case[] = [
  { label: "ResNet's 8x8 (odd channels), bias, residual, relu", n: 3, h: 8, w: 8, ci: 37, co: 45, bias: true, residual: true, activation: 'relu' },
  { label: '4x4, three blocks of output channels and a part', n: 5, h: 4, w: 4, ci: 19, co: 70, bias: true, residual: false, activation: 'relu' },
  { label: '2x2 (one tile an image), no bias', n: 7, h: 2, w: 2, ci: 33, co: 17, bias: false, residual: true, activation: 'linear' },
  { label: 'an odd 5x7 map: its last row and column of tiles half outside', n: 3, h: 5, w: 7, ci: 12, co: 9, bias: true, residual: true, activation: 'sigmoid' },
  { label: 'a batch of one, more tiles than a chunk', n: 1, h: 16, w: 14, ci: 8, co: 40, bias: true, residual: false, activation: 'tanh' },
  { label: 'a channel each way', n: 2, h: 6, w: 6, ci: 1, co: 1, bias: true, residual: true, activation: 'leakyRelu' },
]

const CODES = { linear: 0, relu: 1, sigmoid: 2, tanh: 3, leakyRelu: 4 } as const
const ALGORITHMS = ['direct', 'direct-avx2', 'generic cap'] as const

/** [batch, inH, inW, inC, outH, outW, outC, kH, kW, strideH, strideW, padTop, padLeft, dilationH, dilationW] */
const shapeOf = (c: Case, stride = 1, pad = 1) =>
  Int32Array.of(c.n, c.h, c.w, c.ci, Math.ceil(c.h / stride), Math.ceil(c.w / stride), c.co, 3, 3, stride, stride, pad, pad, 1, 1)

function maxRelDiff(a: Float32Array, b: Float32Array): number {
  let m = 0
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i]))
    m = Number.isNaN(d) ? Infinity : Math.max(m, d)
  }
  return m
}

function inputsOf(c: Case) {
  const rand = createRandom(c.n * 1000 + c.ci * 10 + c.co)
  const values = (length: number) => Float32Array.from({ length }, () => rand() * 2 - 1)
  const x = values(c.n * c.h * c.w * c.ci)
  const filter = values(9 * c.ci * c.co)
  const bias = c.bias ? values(c.co) : null
  const residual = c.residual ? values(c.n * c.h * c.w * c.co) : null
  return { x, filter, bias, residual }
}

function reference(c: Case, { x, filter, bias, residual }: ReturnType<typeof inputsOf>): Float32Array {
  return tf.tidy(() => {
    let y: tf.Tensor = tf.conv2d(tf.tensor4d(x, [c.n, c.h, c.w, c.ci]), tf.tensor4d(filter, [3, 3, c.ci, c.co]), 1, 'same')
    if (bias) y = tf.add(y, tf.tensor1d(bias))
    if (residual) y = tf.add(y, tf.tensor4d(residual, [c.n, c.h, c.w, c.co]))
    if (c.activation === 'relu') y = tf.relu(y)
    if (c.activation === 'sigmoid') y = tf.sigmoid(y)
    if (c.activation === 'tanh') y = tf.tanh(y)
    if (c.activation === 'leakyRelu') y = tf.leakyRelu(y, 0.01)
    return y.dataSync() as Float32Array
  })
}

describe.skipIf(loaded.unavailable)('Winograd F(2x2, 3x3) against the cpu backend', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu')
  })

  afterEach(() => {
    native.addon.setInstructionSet(native.isa)
    native.addon.setConvAlgorithm('direct')
    native.addon.setThreads(0)
  })

  it.each(CASES)('$label', (c) => {
    const inputs = inputsOf(c)
    const expected = reference(c, inputs)
    const packed = native.addon.winogradFilter(inputs.filter, Int32Array.of(c.ci, c.co))
    expect(packed).not.toBeNull()
    for (const algorithm of ALGORITHMS) {
      native.addon.setInstructionSet(algorithm === 'generic cap' ? 'generic' : native.isa)
      native.addon.setConvAlgorithm(algorithm === 'generic cap' ? 'direct' : algorithm)
      // Filled with NaN, so that an output the kernel never writes fails the comparison.
      const y = new Float32Array(expected.length).fill(Number.NaN)
      expect(native.addon.conv2dWinograd(inputs.x, packed!, inputs.bias, y, shapeOf(c), CODES[c.activation], inputs.residual), algorithm).toBe(true)
      const diff = maxRelDiff(y, expected)
      expect(diff, `${algorithm}: max difference ${diff}`).toBeLessThan(1e-4)
    }
  })

  it("declines other shapes and the 'im2col' algorithm, leaving y untouched", () => {
    const c = CASES[1]
    const inputs = inputsOf(c)
    const packed = native.addon.winogradFilter(inputs.filter, Int32Array.of(c.ci, c.co))!
    const run = (shape: Int32Array) => {
      const y = new Float32Array(c.n * shape[4] * shape[5] * c.co).fill(7)
      const taken = native.addon.conv2dWinograd(inputs.x, packed, inputs.bias, y, shape, 1, null)
      return { taken, untouched: y.every((v) => v === 7) }
    }
    expect(run(shapeOf(c, 2))).toEqual({ taken: false, untouched: true })
    expect(run(Int32Array.of(c.n, c.h, c.w, c.ci, c.h - 2, c.w - 2, c.co, 3, 3, 1, 1, 0, 0, 1, 1))).toEqual({ taken: false, untouched: true })
    native.addon.setConvAlgorithm('im2col')
    expect(run(shapeOf(c))).toEqual({ taken: false, untouched: true })
  })

  // The team splits whole tiles: each output is the same sum in the same order on any number of threads.
  it('gives the same outputs on one thread as on every core', () => {
    const c = { ...CASES[0], n: 9 }
    const inputs = inputsOf(c)
    const packed = native.addon.winogradFilter(inputs.filter, Int32Array.of(c.ci, c.co))!
    const run = () => {
      const y = new Float32Array(c.n * c.h * c.w * c.co)
      native.addon.conv2dWinograd(inputs.x, packed, inputs.bias, y, shapeOf(c), 1, inputs.residual)
      return y
    }
    const all = run()
    native.addon.setThreads(1)
    expect(maxRelDiff(run(), all)).toBe(0)
  })
})
