import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import * as tfl from '@tensorflow/tfjs-layers'
import type { NativeKernels } from '../../../../../main/backends/native/nativeKernels'
import { loadNativeKernelsForTests } from '../../../../helpers/nativeKernelsForTests'
import { compileInferencePlan } from '../../../../../main/backends/native/inference/inferencePlan'
import { createModel } from '../../../../../main/engine/model/modelFactory'
import { getArchitecture, type ArchitectureId, type ArchKnobs } from '../../../../../shared/arch/specs'
import { createRandom } from '../../../../../main/data/pipeline/seededRandom'

/**
 * The compiled inference plan (batch norm folded, activations and residual sums fused, no tfjs) against
 * tfjs-layers' predict on the pure-JS cpu backend, for every architecture family and the knobs that change
 * its graph. Batch-norm statistics are randomised, so folding is really exercised. Both direct and
 * im2col convolutions are checked. Skipped, saying why, without the addon; CI requires it.
 */
const loaded = loadNativeKernelsForTests('inference plan tests')
const unavailable = loaded.unavailable
const native = loaded.native as NativeKernels

/** Moving statistics and affine parameters far from the (0, 1) they start at. */
function randomiseBatchNorm(model: tfl.LayersModel, seed: number): void {
  const rand = createRandom(seed)
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue
    layer.setWeights(layer.weights.map((w) => {
      const key = w.originalName.split('/').pop()
      const n = w.shape.reduce((a: number, b) => a * (b ?? 1), 1)
      const v = Float32Array.from({ length: n }, () => (key === 'moving_variance' ? 0.2 + rand() * 2 : key === 'gamma' ? 0.5 + rand() : rand() - 0.5))
      return tf.tensor(v, w.shape as number[])
    }))
  }
}

interface Case {
  arch: ArchitectureId
  inputSize: number
  channels: number
  knobs?: Partial<ArchKnobs>
}

const CASES: Case[] = [
  { arch: 'lenet5', inputSize: 28, channels: 1 },
  { arch: 'lenet-relu', inputSize: 28, channels: 1 },
  { arch: 'bn-lenet', inputSize: 28, channels: 1 },
  { arch: 'lenet5', inputSize: 28, channels: 1, knobs: { activation: 'tanh' } },
  { arch: 'lenet-relu', inputSize: 28, channels: 1, knobs: { activation: 'leakyRelu', batchNorm: true } },
  { arch: 'alexnet', inputSize: 67, channels: 1, knobs: { width: 0.125 } },
  { arch: 'vgg11', inputSize: 32, channels: 3, knobs: { width: 0.125, batchNorm: true } },
  { arch: 'googlenet', inputSize: 32, channels: 1, knobs: { width: 0.25 } },
  { arch: 'resnet18', inputSize: 32, channels: 3 },
  { arch: 'resnet18', inputSize: 32, channels: 3, knobs: { residual: false } },
  { arch: 'resnet50', inputSize: 32, channels: 1, knobs: { width: 0.25 } },
]

describe.skipIf(!!unavailable)('compiled inference plan', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu')
  })
  afterAll(() => {
    native.addon.setConvAlgorithm('direct')
  })

  it('compiles a Sequential model, whose input layer is not among its layers', () => {
    const model = tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [4, 4, 2] }), tfl.layers.dense({ units: 3, activation: 'relu' }), tfl.layers.dense({ units: 2 })] })
    const input = Float32Array.from({ length: 2 * 32 }, (_, i) => Math.sin(i))
    const expected = tf.tidy(() => (model.predict(tf.tensor4d(input, [2, 4, 4, 2])) as tf.Tensor).dataSync())
    const compiled = compileInferencePlan(model, native)
    if (!('plan' in compiled)) throw new Error(`not compiled: ${compiled.reason}`)
    const logits = compiled.plan.run(input, 2)
    expected.forEach((value, i) => expect(logits[i]).toBeCloseTo(value, 5))
    model.dispose()
  })

  it.each(['relu', 'linear'] as const)('zero padding before a max pooling after a %s convolution matches tfjs (folded only after ReLU)', (activation) => {
    // After a linear convolution most windows are all negative: there the padding's zeros are the maximum.
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [6, 6, 2], filters: 9, kernelSize: 3, activation, biasInitializer: tfl.initializers.constant({ value: -0.5 }) }),
        tfl.layers.zeroPadding2d({ padding: 1 }),
        tfl.layers.maxPooling2d({ poolSize: 3, strides: 2 }),
        tfl.layers.flatten(),
      ],
    })
    const input = Float32Array.from({ length: 3 * 72 }, (_, i) => Math.sin(i * 0.7))
    const expected = tf.tidy(() => (model.predict(tf.tensor4d(input, [3, 6, 6, 2])) as tf.Tensor).dataSync())
    const compiled = compileInferencePlan(model, native)
    if (!('plan' in compiled)) throw new Error(`not compiled: ${compiled.reason}`)
    const logits = compiled.plan.run(input, 3)
    expect(Array.from(expected).some((value) => value === 0)).toBe(true)
    expected.forEach((value, i) => expect(logits[i]).toBeCloseTo(value, 5))
    model.dispose()
  })

  // Stride-1 3x3 'same' convolutions of 8x8 and 4x4 maps with 32 channels or more run as Winograd F(2x2, 3x3)
  // from a filter transformed at compile time (with batch norm folded in first), the residual sum and ReLU in
  // its output; the first convolution (13 channels in) stays direct.
  it("Winograd's 3x3 convolutions (odd channels, batch norm, residual sums) match tfjs", () => {
    const input = tfl.input({ shape: [8, 8, 13] })
    const conv = (filters: number, useBias = false) => tfl.layers.conv2d({ filters, kernelSize: 3, padding: 'same', useBias })
    const block = (x: tfl.SymbolicTensor, filters: number): tfl.SymbolicTensor => {
      const a = tfl.layers.activation({ activation: 'relu' }).apply(tfl.layers.batchNormalization().apply(conv(filters).apply(x))) as tfl.SymbolicTensor
      const b = tfl.layers.batchNormalization().apply(conv(filters).apply(a)) as tfl.SymbolicTensor
      return tfl.layers.activation({ activation: 'relu' }).apply(tfl.layers.add().apply([b, x])) as tfl.SymbolicTensor
    }
    const stem = tfl.layers.conv2d({ filters: 33, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(input) as tfl.SymbolicTensor
    const pooled = tfl.layers.maxPooling2d({ poolSize: 2 }).apply(block(stem, 33)) as tfl.SymbolicTensor
    const wide = conv(37, true).apply(pooled) as tfl.SymbolicTensor
    const output = tfl.layers.dense({ units: 5 }).apply(tfl.layers.flatten().apply(block(wide, 37))) as tfl.SymbolicTensor
    const model = tfl.model({ inputs: input, outputs: output })
    randomiseBatchNorm(model, 3)
    const rand = createRandom(4)
    const batch = 3
    const images = Float32Array.from({ length: batch * 8 * 8 * 13 }, () => rand() * 2 - 1)
    const expected = tf.tidy(() => (model.predict(tf.tensor4d(images, [batch, 8, 8, 13])) as tf.Tensor).dataSync())
    const compiled = compileInferencePlan(model, native)
    if (!('plan' in compiled)) throw new Error(`not compiled: ${compiled.reason}`)
    for (const algorithm of ['direct', 'direct-avx2', 'im2col'] as const) {
      native.addon.setConvAlgorithm(algorithm)
      const logits = compiled.plan.run(images, batch)
      let worst = 0
      for (let i = 0; i < logits.length; i++) worst = Math.max(worst, Math.abs(logits[i] - expected[i]) / Math.max(1, Math.abs(expected[i])))
      expect(worst, `${algorithm}: max relative difference`).toBeLessThan(1e-4)
    }
    model.dispose()
  })

  it('declines a layer it has no step for, naming it (LRN runs on tfjs)', () => {
    const spec = getArchitecture('alexnet', { inputSize: 67, channels: 1, classes: 10, knobs: { width: 0.125, lrn: true } })
    const model = createModel(spec, spec.input, 3)
    const compiled = compileInferencePlan(model, native)
    expect('reason' in compiled && compiled.reason).toMatch(/LocalResponseNorm/)
    model.dispose()
  })

  for (const testCase of CASES) {
    it(`${testCase.arch} ${JSON.stringify(testCase.knobs ?? {})} at ${testCase.inputSize} px matches tfjs`, () => {
      const spec = getArchitecture(testCase.arch, { inputSize: testCase.inputSize, channels: testCase.channels, classes: 10, knobs: testCase.knobs })
      const model = createModel(spec, spec.input, 3)
      randomiseBatchNorm(model, 5)
      const batch = 3
      const rand = createRandom(11)
      const input = Float32Array.from({ length: batch * testCase.inputSize ** 2 * testCase.channels }, () => rand() * 2 - 1)
      const expected = tf.tidy(() => (model.predict(tf.tensor4d(input, [batch, testCase.inputSize, testCase.inputSize, testCase.channels])) as tf.Tensor).dataSync())
      const compiled = compileInferencePlan(model, native)
      if (!('plan' in compiled)) throw new Error(`not compiled: ${compiled.reason}`)
      for (const algorithm of ['direct', 'direct-avx2', 'im2col'] as const) {
        native.addon.setConvAlgorithm(algorithm)
        const logits = compiled.plan.run(input, batch)
        expect(logits.length).toBe(expected.length)
        let worst = 0
        for (let i = 0; i < logits.length; i++) worst = Math.max(worst, Math.abs(logits[i] - expected[i]) / Math.max(1, Math.abs(expected[i])))
        expect(worst, `${algorithm}: max relative difference`).toBeLessThan(1e-4)
      }
      model.dispose()
    })
  }
})
