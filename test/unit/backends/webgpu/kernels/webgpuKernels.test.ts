/**
 * Our WGSL kernels (main/backends/webgpu/kernels) against the cpu backend, kernel by kernel, on whatever
 * WebGPU adapter Dawn offers (in CI: Mesa's lavapipe, a software adapter that runs every kernel exactly).
 * Without an adapter the suite skips with the reason, unless WORKBENCH_REQUIRE_WEBGPU=1 (CI), then it fails.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
// tfjs-layers registers the gradients (the core's register_all_gradients cannot be imported as ESM under Node).
import '@tensorflow/tfjs-layers'
import { registerWebGpuKernels, setWebGpuKernelFault } from '../../../../../main/backends/webgpu/kernels'
import { gemmTuning, type GemmTiling } from '../../../../../main/backends/webgpu/kernels/gemmProgram'
import { TOL, diffVsCpu, openWebGpuForTests, randArrays, rng, size, type ConvCase } from '../../../../helpers/webgpuKernelHarness'

const unavailable = await openWebGpuForTests('webgpuKernels.test')
const randArray = randArrays(1414)

const convCases: ConvCase[] = [
  { label: 'odd sizes 3x3', x: [2, 9, 7, 3], filter: [3, 3, 3, 5], stride: 1, pad: 'same' },
  { label: 'stride 2 same', x: [2, 9, 9, 4], filter: [3, 3, 4, 8], stride: 2, pad: 'same' },
  { label: '1x1', x: [3, 5, 5, 8], filter: [1, 1, 8, 4], stride: 1, pad: 'valid' },
  { label: '11x11 stride 4, 1 channel, batch 1', x: [1, 27, 27, 1], filter: [11, 11, 1, 4], stride: 4, pad: 'valid' },
  { label: 'LeNet 5x5, 1 channel', x: [2, 12, 12, 1], filter: [5, 5, 1, 6], stride: 1, pad: 'valid' },
  { label: 'reduction longer than a tile', x: [2, 10, 10, 20], filter: [3, 3, 20, 12], stride: 1, pad: 'same' },
  { label: 'stride 2 valid, even kernel', x: [1, 8, 8, 3], filter: [2, 2, 3, 4], stride: 2, pad: 'valid' },
  { label: 'even kernel same (asymmetric padding)', x: [2, 6, 6, 5], filter: [4, 4, 5, 7], stride: 1, pad: 'same' },
]

interface MatMulCase {
  a: number[]
  b: number[]
  transposeA: boolean
  transposeB: boolean
}
const matMulCases: MatMulCase[] = [
  { a: [7, 9], b: [9, 5], transposeA: false, transposeB: false },
  { a: [3, 70, 33], b: [3, 70, 65], transposeA: true, transposeB: false },
  { a: [2, 66, 17], b: [2, 132, 17], transposeA: false, transposeB: true },
  { a: [40, 130], b: [64, 40], transposeA: true, transposeB: true },
  { a: [1, 20, 300], b: [3, 300, 12], transposeA: false, transposeB: false },
]

// Every new shape is a new pipeline, and lavapipe's LLVM takes ~1 s (far more on a loaded CPU) to compile
// one: the default tiling runs every case, the other tilings a few chosen to reach their code paths.
const splitK: Partial<GemmTiling> = { rowsPerThread: 4, colsPerThread: 4, chunks: 3 }
const bigTiles: Partial<GemmTiling> = { rowsPerThread: 8, colsPerThread: 8, chunks: 1 }
const splitConvCases = [convCases[3], convCases[5]]
const splitMatMulCases = [matMulCases[1]]

function convOutputs(c: ConvCase, x: tf.Tensor4D, f: tf.Tensor4D, dy: tf.Tensor4D): tf.Tensor[] {
  const conv = (xx: tf.Tensor4D, ff: tf.Tensor4D) => tf.conv2d(xx, ff, c.stride, c.pad, 'NHWC', c.dilation ?? 1)
  const [dx, dw] = tf.grads((xx: tf.Tensor, ff: tf.Tensor) => conv(xx as tf.Tensor4D, ff as tf.Tensor4D))([x, f], dy)
  return [conv(x, f), dx, dw]
}

describe.skipIf(unavailable != null)('our webgpu kernels vs the cpu backend', { timeout: 300_000 }, () => {
  beforeAll(() => {
    const ours = ['Conv2D', 'FusedConv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'BatchMatMul', '_FusedMatMul', 'MaxPoolGrad', 'AvgPoolGrad']
    expect(registerWebGpuKernels()).toEqual([...ours, 'WorkbenchBatchNormTrain', 'WorkbenchBatchNormTrainGrad'])
    expect(registerWebGpuKernels()).toHaveLength(ours.length + 2) // idempotent
  })
  afterEach(() => {
    gemmTuning.force = null
    setWebGpuKernelFault(null)
  })

  const convRuns = [...convCases.map((c) => ({ c, force: null as Partial<GemmTiling> | null })), ...splitConvCases.map((c) => ({ c, force: splitK }))]
  for (const { c, force } of convRuns) {
    it(`conv2d forward, input and filter gradients: ${c.label}${force ? ' (split-K)' : ''}`, async () => {
      const xData = randArray(c.x)
      const fData = randArray(c.filter)
      const outShape = tf.tidy(() => tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, tf.zeros(c.filter) as tf.Tensor4D, c.stride, c.pad).shape)
      const dyData = randArray(outShape)
      gemmTuning.force = force
      const diff = await diffVsCpu(() => convOutputs(c, tf.tensor4d(xData, c.x), tf.tensor4d(fData, c.filter), tf.tensor4d(dyData, outShape)))
      expect(diff).toBeLessThan(TOL)
    })
  }

  const matMulRuns = [...matMulCases.map((m) => ({ m, force: null as Partial<GemmTiling> | null })), ...splitMatMulCases.map((m) => ({ m, force: splitK }))]
  for (const { m, force } of matMulRuns) {
    it(`matMul ${m.a} x ${m.b} ${m.transposeA ? 'T' : 'N'}${m.transposeB ? 'T' : 'N'} with its gradients${force ? ' (split-K)' : ''}`, async () => {
      const aData = randArray(m.a)
      const bData = randArray(m.b)
      gemmTuning.force = force
      const diff = await diffVsCpu(() => {
        const a = tf.tensor(aData, m.a)
        const b = tf.tensor(bData, m.b)
        const f = (aa: tf.Tensor, bb: tf.Tensor) => tf.matMul(aa, bb, m.transposeA, m.transposeB)
        const out = f(a, b)
        // tfjs's own matMul gradient cannot reduce a broadcast batch (on any backend): forward only there.
        if (size(m.a.slice(0, -2)) !== size(m.b.slice(0, -2))) return [out]
        const dy = tf.tensor(randArrayFor(out.shape), out.shape)
        return [out, ...tf.grads(f)([a, b], dy)]
      })
      expect(diff).toBeLessThan(TOL)
    })
  }

  const activations = ['linear', 'relu', 'relu6', 'elu', 'leakyrelu', 'sigmoid'] as const
  for (const activation of activations) {
    it(`fused matMul with bias and ${activation}`, async () => {
      const aData = randArray([2, 33, 21])
      const bData = randArray([21, 10])
      const bias = randArray([10])
      const diff = await diffVsCpu(() => [
        tf.fused.matMul({ a: tf.tensor3d(aData, [2, 33, 21]), b: tf.tensor2d(bData, [21, 10]), bias: tf.tensor1d(bias), activation, leakyreluAlpha: 0.15 }),
      ])
      expect(diff).toBeLessThan(TOL)
    })
  }

  for (const [activation, force] of [['relu', null], ['sigmoid', { chunks: 2 }]] as const) {
    it(`fused conv2d with bias and ${activation}${force ? ' (split-K: bias and activation in the reduction pass)' : ''}`, async () => {
      const c = convCases[1]
      const xData = randArray(c.x)
      const fData = randArray(c.filter)
      const bias = randArray([c.filter[3]])
      gemmTuning.force = force
      const diff = await diffVsCpu(() => [
        tf.fused.conv2d({ x: tf.tensor4d(xData, c.x), filter: tf.tensor4d(fData, c.filter), strides: c.stride, pad: c.pad, bias: tf.tensor1d(bias), activation }),
      ])
      expect(diff).toBeLessThan(TOL)
    })
  }

  it('128x128 tiles (8x8 per thread) for a convolution and a matmul', async () => {
    const c = convCases[5]
    const xData = randArray(c.x)
    const fData = randArray(c.filter)
    const aData = randArray([2, 130, 40])
    const bData = randArray([40, 140])
    gemmTuning.force = bigTiles
    const diff = await diffVsCpu(() => [
      tf.conv2d(tf.tensor4d(xData, c.x), tf.tensor4d(fData, c.filter), c.stride, c.pad),
      tf.matMul(tf.tensor3d(aData, [2, 130, 40]), tf.tensor2d(bData, [40, 140])),
    ])
    expect(diff).toBeLessThan(TOL)
  })

  it('a small conv net (tfjs-layers, fused conv and dense) has the same loss and weight gradients as on cpu', async () => {
    const build = () =>
      tfl.sequential({
        layers: [
          tfl.layers.conv2d({ inputShape: [8, 8, 3], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }),
          tfl.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'valid', activation: 'sigmoid' }),
          tfl.layers.flatten(),
          tfl.layers.dense({ units: 5, activation: 'softmax' }),
        ],
      })
    const shapes = [[3, 3, 3, 4], [4], [3, 3, 4, 8], [8], [72, 5], [5]]
    const weights = shapes.map((shape) => randArray(shape))
    const xData = randArray([3, 8, 8, 3])
    const labels = [0, 3, 4]
    const diff = await diffVsCpu(() => {
      const model = build()
      model.setWeights(weights.map((w, i) => tf.tensor(w, shapes[i])))
      const x = tf.tensor4d(xData, [3, 8, 8, 3])
      const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 5)
      const { value, grads } = tf.variableGrads(() => tf.mean(tfl.metrics.categoricalCrossentropy(y, model.apply(x) as tf.Tensor)) as tf.Scalar)
      return [value, ...model.trainableWeights.map((w) => grads[(w.read() as tf.Variable).name])]
    })
    expect(diff).toBeLessThan(TOL)
  })

  it('dilated forward convolution', async () => {
    const c: ConvCase = { label: 'dilation 2', x: [1, 9, 9, 2], filter: [3, 3, 2, 3], stride: 1, pad: 'same', dilation: 2 }
    const xData = randArray(c.x)
    const fData = randArray(c.filter)
    const diff = await diffVsCpu(() => [tf.conv2d(tf.tensor4d(xData, c.x), tf.tensor4d(fData, c.filter), 1, 'same', 'NHWC', 2)])
    expect(diff).toBeLessThan(TOL)
  })

  // A deliberately broken kernel (one reduction term dropped) must fail the comparison above: each of ours.
  const faults: Array<[string, () => tf.Tensor[]]> = [
    ['Conv2D', () => [tf.conv2d(tf.tensor4d(fixed.x, [2, 9, 9, 4]), tf.tensor4d(fixed.f, [3, 3, 4, 8]), 2, 'same')]],
    ['FusedConv2D', () => [tf.fused.conv2d({ x: tf.tensor4d(fixed.x, [2, 9, 9, 4]), filter: tf.tensor4d(fixed.f, [3, 3, 4, 8]), strides: 2, pad: 'same', activation: 'relu' })]],
    ['Conv2DBackpropInput', () => [tf.conv2dTranspose(tf.tensor4d(fixed.dy, [2, 5, 5, 8]), tf.tensor4d(fixed.f, [3, 3, 4, 8]), [2, 9, 9, 4], 2, 'same')]],
    ['Conv2DBackpropFilter', () => tf.grads((f: tf.Tensor) => tf.conv2d(tf.tensor4d(fixed.x, [2, 9, 9, 4]), f as tf.Tensor4D, 2, 'same'))([tf.tensor4d(fixed.f, [3, 3, 4, 8])], tf.tensor4d(fixed.dy, [2, 5, 5, 8]))],
    ['BatchMatMul', () => [tf.matMul(tf.tensor2d(fixed.x.slice(0, 7 * 30), [7, 30]), tf.tensor2d(fixed.x.slice(0, 30 * 9), [30, 9]))]],
    ['_FusedMatMul', () => [tf.fused.matMul({ a: tf.tensor2d(fixed.x.slice(0, 7 * 30), [7, 30]), b: tf.tensor2d(fixed.x.slice(0, 30 * 9), [30, 9]), activation: 'elu' })]],
  ]
  const fixed = { x: randArray([2, 9, 9, 4]), f: randArray([3, 3, 4, 8]), dy: randArray([2, 5, 5, 8]) }
  for (const [kernel, fn] of faults) {
    it(`a deliberately broken ${kernel} fails the comparison`, async () => {
      expect(await diffVsCpu(fn)).toBeLessThan(TOL)
      setWebGpuKernelFault(kernel)
      expect(await diffVsCpu(fn)).toBeGreaterThan(TOL)
    })
  }
})

function randArrayFor(shape: number[]): Float32Array {
  // Same values on both backends: seeded from the shape, not from the shared stream.
  const r = rng(size(shape) * 31 + shape.length)
  const a = new Float32Array(size(shape))
  for (let i = 0; i < a.length; i++) a[i] = r() * 2 - 1
  return a
}
