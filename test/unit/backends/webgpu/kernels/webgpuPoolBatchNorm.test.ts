/**
 * Our WGSL pooling gradients (MaxPoolGrad, AvgPoolGrad) and fused training-mode batch norm (forward and
 * backward, through the BatchNormalization layer) against the cpu backend, on whatever WebGPU adapter Dawn
 * offers (in CI: lavapipe). Without an adapter the suite skips with the reason, unless WORKBENCH_REQUIRE_WEBGPU=1.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
// tfjs-layers registers the gradients (the core's register_all_gradients cannot be imported as ESM under Node).
import '@tensorflow/tfjs-layers'
import { registerWebGpuKernels, setWebGpuKernelFault } from '../../../../../main/backends/webgpu/kernels'
import { batchNormTuning, planChannelReduction } from '../../../../../main/backends/webgpu/kernels/batchNormKernels'
import { elementwiseTuning, flatDispatch } from '../../../../../main/backends/webgpu/kernels/elementwiseProgram'
import { batchNormalization } from '../../../../../main/engine/model/layers/batchNormalization'
import { TOL, diffVsCpu, openWebGpuForTests, randArrays, size } from '../../../../helpers/webgpuKernelHarness'

const unavailable = await openWebGpuForTests('webgpuPoolBatchNorm.test')
const randArray = randArrays(2727)

/** Values from {-1, -0.5, 0, 0.5, 1}: most pooling windows hold ties, which the gradient must break as cpu does. */
function tiedArray(shape: number[]): Float32Array {
  return randArray(shape).map((v) => Math.round(v * 2) / 2)
}

interface PoolCase {
  label: string
  x: [number, number, number, number]
  filter: number | [number, number]
  stride: number | [number, number]
  pad: 'same' | 'valid'
  ties?: boolean
}
const poolCases: PoolCase[] = [
  { label: '3x3/2 same, 3 channels, odd sizes', x: [2, 9, 7, 3], filter: 3, stride: 2, pad: 'same' },
  { label: '2x2/2 valid, 1 channel, batch 1', x: [1, 8, 8, 1], filter: 2, stride: 2, pad: 'valid' },
  { label: '3x3/1 same (overlapping windows), 6 channels', x: [2, 7, 9, 6], filter: 3, stride: 1, pad: 'same' },
  { label: '3x3/2 valid, 17 channels, batch 1', x: [1, 11, 11, 17], filter: 3, stride: 2, pad: 'valid' },
  { label: '3x3/2 same, 8 channels (vec4)', x: [2, 6, 6, 8], filter: 3, stride: 2, pad: 'same' },
  { label: '2x3 filter, 3x2 stride, 4 channels (vec4)', x: [1, 10, 9, 4], filter: [2, 3], stride: [3, 2], pad: 'valid' },
  { label: '3x3/2 same with ties, 3 channels', x: [2, 9, 9, 3], filter: 3, stride: 2, pad: 'same', ties: true },
  { label: '3x3/1 same with ties, 8 channels (vec4)', x: [1, 6, 7, 8], filter: 3, stride: 1, pad: 'same', ties: true },
]

function poolOutputs(kind: 'max' | 'avg', c: PoolCase, xData: Float32Array, dyData: Float32Array, dyShape: number[]): tf.Tensor[] {
  const pool = (x: tf.Tensor) => (kind === 'max' ? tf.maxPool : tf.avgPool)(x as tf.Tensor4D, c.filter, c.stride, c.pad)
  const x = tf.tensor4d(xData, c.x)
  return [pool(x), tf.grad(pool)(x, tf.tensor(dyData, dyShape))]
}

interface BatchNormCase {
  label: string
  x: number[]
  offset?: number
  splits?: number
}
const batchNormCases: BatchNormCase[] = [
  { label: 'batch 1, 3 channels', x: [1, 5, 7, 3] },
  { label: '1 channel', x: [3, 4, 4, 1] },
  { label: '6 channels, a reduction over many workgroups (2048 rows)', x: [8, 16, 16, 6] },
  { label: '17 channels, mean far from 0', x: [2, 9, 9, 17], offset: 20 },
  { label: '17 channels, 5 uneven row splits', x: [2, 9, 9, 17], splits: 5 },
  { label: '8 channels (vec4)', x: [2, 6, 6, 8] },
  { label: 'dense input [33, 12] (vec4)', x: [33, 12] },
]

let layerCount = 0

/** y, dx, dgamma, dbeta and the updated moving mean and variance of one training-mode BatchNormalization layer. */
function batchNormOutputs(c: BatchNormCase, xData: Float32Array, dyData: Float32Array, weights: Float32Array[]): tf.Tensor[] {
  const channels = c.x[c.x.length - 1]
  const layer = batchNormalization({ name: `bn_test_${layerCount++}`, axis: -1, momentum: 0.9, epsilon: 1e-3 })
  layer.build(c.x)
  layer.setWeights(weights.map((w) => tf.tensor1d(w)))
  const x = tf.variable(tf.tensor(xData, c.x), true, `bn_test_x_${layerCount}`)
  const dy = tf.tensor(dyData, c.x)
  const y = layer.apply(x, { training: true }) as tf.Tensor
  const [gamma, beta] = layer.trainableWeights.map((w) => w.read() as tf.Variable)
  const { grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(x, { training: true }) as tf.Tensor, dy)) as tf.Scalar, [x, gamma, beta])
  const moving = layer.getWeights().slice(2).map((w) => tf.clone(w))
  expect(moving[0].shape).toEqual([channels])
  const outputs = [y, grads[x.name], grads[gamma.name], grads[beta.name], ...moving]
  x.dispose()
  return outputs
}

function batchNormWeights(channels: number): Float32Array[] {
  const gamma = randArray([channels]).map((v) => 1 + 0.5 * v)
  const variance = randArray([channels]).map((v) => 1 + 0.5 * v)
  return [gamma, randArray([channels]), randArray([channels]), variance]
}

describe.skipIf(unavailable != null)('our webgpu pooling gradients and fused batch norm vs the cpu backend', { timeout: 300_000 }, () => {
  beforeAll(() => {
    expect(registerWebGpuKernels()).toEqual(expect.arrayContaining(['MaxPoolGrad', 'AvgPoolGrad', 'WorkbenchBatchNormTrain', 'WorkbenchBatchNormTrainGrad']))
  })
  afterEach(() => {
    batchNormTuning.forceSplits = null
    elementwiseTuning.maxGridX = 65535
    setWebGpuKernelFault(null)
  })

  for (const kind of ['max', 'avg'] as const) {
    for (const c of poolCases) {
      if (c.ties && kind === 'avg') continue
      it(`${kind} pool forward and gradient: ${c.label}`, async () => {
        const xData = c.ties ? tiedArray(c.x) : randArray(c.x)
        const dyShape = tf.tidy(() => tf.maxPool(tf.zeros(c.x) as tf.Tensor4D, c.filter, c.stride, c.pad).shape)
        const dyData = randArray(dyShape)
        expect(await diffVsCpu(() => poolOutputs(kind, c, xData, dyData, dyShape))).toBeLessThan(TOL)
      })
    }
  }

  it('max pool gradient where windows hold -Infinity or values below -1e20 (where tfjs-webgpu\'s forward output is not the maximum)', async () => {
    const shape: [number, number, number, number] = [1, 6, 6, 4]
    const xData = tiedArray(shape)
    // The top-left 3x3 block of every channel is -Infinity (a whole 2x2/2 window with no gradient, and parts of
    // others), as is every 5th value; the bottom-right 2x2 window holds values from -3e25 to -1e25, ties included.
    for (let i = 0; i < xData.length; i++) {
      const [h, w] = [Math.floor(i / 24), Math.floor(i / 4) % 6]
      if ((h < 3 && w < 3) || i % 5 === 0) xData[i] = -Infinity
      if (h >= 4 && w >= 4) xData[i] = -1e25 * (1 + (i % 3))
    }
    const dyData = randArray([1, 3, 3, 4])
    const grad = () => [tf.grad((x: tf.Tensor) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid'))(tf.tensor4d(xData, shape), tf.tensor4d(dyData, [1, 3, 3, 4]))]
    expect(await diffVsCpu(grad)).toBeLessThan(TOL)
  })

  it('the long batch-norm case really is split over several workgroups of rows', () => {
    const c = batchNormCases[2]
    const plan = planChannelReduction(size(c.x) / c.x[3], c.x[3])
    expect(plan.splits).toBeGreaterThan(1)
    expect(plan.rows).toBeGreaterThan(plan.rowLanes)
  })

  for (const c of batchNormCases) {
    it(`training-mode batch norm: y, dx, dgamma, dbeta and moving statistics: ${c.label}`, async () => {
      const channels = c.x[c.x.length - 1]
      const xData = randArray(c.x).map((v) => v + (c.offset ?? 0))
      const dyData = randArray(c.x)
      const weights = batchNormWeights(channels)
      batchNormTuning.forceSplits = c.splits ?? null
      expect(await diffVsCpu(() => batchNormOutputs(c, xData, dyData, weights))).toBeLessThan(TOL)
    })
  }

  it('a grid too wide for one dimension is folded into two, and every element is still computed once', async () => {
    const c = poolCases[3]
    const bnShape = [2, 9, 9, 17]
    const xData = randArray(c.x)
    const dyShape = tf.tidy(() => tf.maxPool(tf.zeros(c.x) as tf.Tensor4D, c.filter, c.stride, c.pad).shape)
    const dyData = randArray(dyShape)
    const bnData = [randArray(bnShape), randArray(bnShape)]
    const weights = batchNormWeights(17)
    // 2057 pool-gradient threads and 2754 batch-norm elements: 9 and 11 workgroups of 256, folded into grids
    // of 2 x 5 and 2 x 6 with one workgroup to spare (it must write nothing).
    elementwiseTuning.maxGridX = 2
    expect(flatDispatch(2057)).toEqual([2, 5, 1])
    expect(flatDispatch(2754)).toEqual([2, 6, 1])
    const diff = await diffVsCpu(() => [
      ...poolOutputs('max', c, xData, dyData, dyShape),
      ...poolOutputs('avg', c, xData, dyData, dyShape),
      ...batchNormOutputs({ label: 'folded', x: bnShape }, bnData[0], bnData[1], weights),
    ])
    expect(diff).toBeLessThan(TOL)
  })

  it('a small conv / batch-norm / max-pool net has the same loss and weight gradients as on cpu', async () => {
    const build = () =>
      tfl.sequential({
        layers: [
          tfl.layers.conv2d({ inputShape: [8, 8, 3], filters: 6, kernelSize: 3, padding: 'same', useBias: false }),
          batchNormalization({ name: `bn_net_${layerCount++}`, axis: -1, momentum: 0.99, epsilon: 1e-3 }),
          tfl.layers.activation({ activation: 'relu' }),
          tfl.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
          tfl.layers.flatten(),
          tfl.layers.dense({ units: 5, activation: 'softmax' }),
        ],
      })
    // A model's weights: the trainable ones first (conv kernel, gamma, beta, dense), then the moving mean and variance.
    const shapes = [[3, 3, 3, 6], [6], [6], [96, 5], [5], [6], [6]]
    const weights = shapes.map((shape, i) => (i === 6 ? randArray(shape).map((v) => 1 + 0.5 * v) : randArray(shape)))
    const xData = randArray([3, 8, 8, 3])
    const labels = [0, 3, 4]
    const diff = await diffVsCpu(() => {
      const model = build()
      model.setWeights(weights.map((w, i) => tf.tensor(w, shapes[i])))
      const x = tf.tensor4d(xData, [3, 8, 8, 3])
      const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 5)
      const loss = () => tf.mean(tfl.metrics.categoricalCrossentropy(y, model.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar
      const { value, grads } = tf.variableGrads(loss)
      return [value, ...model.trainableWeights.map((w) => grads[(w.read() as tf.Variable).name])]
    })
    expect(diff).toBeLessThan(TOL)
  })

  // A deliberately broken kernel (a reduction term or a covering window dropped) must fail the comparison.
  const pool = { x: randArray([2, 9, 9, 3]), dy: randArray([2, 5, 5, 3]) }
  const bnCase: BatchNormCase = { label: 'fault', x: [2, 9, 9, 3] }
  const bn = { x: randArray(bnCase.x), dy: randArray(bnCase.x), weights: batchNormWeights(3) }
  const faults: Array<[string, () => tf.Tensor[]]> = [
    ['MaxPoolGrad', () => [tf.grad((x: tf.Tensor) => tf.maxPool(x as tf.Tensor4D, 3, 2, 'same'))(tf.tensor4d(pool.x, [2, 9, 9, 3]), tf.tensor4d(pool.dy, [2, 5, 5, 3]))]],
    ['AvgPoolGrad', () => [tf.grad((x: tf.Tensor) => tf.avgPool(x as tf.Tensor4D, 3, 2, 'same'))(tf.tensor4d(pool.x, [2, 9, 9, 3]), tf.tensor4d(pool.dy, [2, 5, 5, 3]))]],
    ['WorkbenchBatchNormTrain', () => batchNormOutputs(bnCase, bn.x, bn.dy, bn.weights).slice(0, 1)],
    ['WorkbenchBatchNormTrainGrad', () => batchNormOutputs(bnCase, bn.x, bn.dy, bn.weights).slice(1, 4)],
  ]
  for (const [kernel, fn] of faults) {
    it(`a deliberately broken ${kernel} fails the comparison`, async () => {
      expect(await diffVsCpu(fn)).toBeLessThan(TOL)
      setWebGpuKernelFault(kernel)
      expect(await diffVsCpu(fn)).toBeGreaterThan(TOL)
    })
  }
})
