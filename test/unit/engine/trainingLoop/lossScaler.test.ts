/**
 * Dynamic loss scaling (main/engine/trainingLoop/lossScaler.ts) in the trainer, on the cpu backend: the logic is the
 * same tensor operations on every backend (mixed precision's f16 kernels are tested on webgpu in
 * webgpuMixedPrecision.test.ts). Overflow is forced in f32 here by a scale near f32's maximum.
 */
import { describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import * as tfl from '@tensorflow/tfjs-layers'
import { TrainConfig } from '../../../../shared/api/schemas'
import type { OptimizerName } from '../../../../shared/arch/specs'
import { inMemoryBatchSource } from '../../../../main/data/pipeline/batchSource'
import { trainModel } from '../../../../main/engine/trainingLoop/trainer'
import type { TrainOptions } from '../../../../main/engine/trainingLoop/trainingContract'
import { createOptimizer } from '../../../../main/engine/trainingLoop/optimizers'
import { DynamicLossScaler, lossScalingNote, type LossScalingOptions } from '../../../../main/engine/trainingLoop/lossScaler'

const SHAPE: [number, number, number] = [6, 6, 1]
const PIXELS = 36

function seeded(seed: number): () => number {
  let s = seed
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
}

function buildModel(): tfl.LayersModel {
  const random = seeded(3)
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: SHAPE, filters: 3, kernelSize: 3, activation: 'relu' }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 4 }),
    ],
  })
  model.setWeights(model.getWeights().map((w) => tf.tensor(Float32Array.from({ length: w.size }, () => random() - 0.5), w.shape)))
  return model
}

const random = seeded(11)
const count = 24
const split = { count, images: Float32Array.from({ length: count * PIXELS }, () => random()), labels: Uint8Array.from({ length: count }, () => Math.floor(random() * 4)) }
const schedule = { ...TrainConfig.parse({ arch: 'lenet-relu', dataset: 'mnist', epochs: 1, batchSize: 8, learningRate: 0.05 }), lrSchedule: 'constant' as const }

async function train(optimizer: OptimizerName, lossScaling: LossScalingOptions | undefined, batches: number, brightness = 1, startScale?: number) {
  await tf.setBackend('cpu')
  const model = buildModel()
  const options: TrainOptions = { epochs: 1, batchSize: 8, optimizer, schedule, weightDecay: 0.001, classes: 4, imageShape: SHAPE, readBehind: 2, ...(lossScaling ? { lossScaling } : {}) }
  const losses: number[] = []
  let iterations = -1
  let checkpointScale: number | undefined
  const data = { count: batches * 8, images: split.images.subarray(0, batches * 8 * PIXELS).map((v) => v * brightness), labels: split.labels.subarray(0, batches * 8) }
  const outcome = await trainModel(model, { train: inMemoryBatchSource(data, SHAPE, { seed: 1 }), test: data }, options, {
    onBatch: (report) => losses.push(report.loss),
    onEpoch: (_report, state) => {
      iterations = state.optimizer.iterations
      checkpointScale = state.lossScale
    },
    shouldStop: () => false,
  }, { epochsDone: 0, ...(startScale ? { lossScale: startScale } : {}) })
  const weights = model.getWeights().map((w) => Array.from(w.dataSync()))
  model.dispose()
  return { losses, weights, outcome, iterations, checkpointScale }
}

const scaling = (initialScale: number, growthInterval = 2000): LossScalingOptions => ({ initialScale, growthFactor: 2, backoffFactor: 0.5, growthInterval })

describe('dynamic loss scaling in the trainer', () => {
  it('a power-of-two scale changes nothing: the same losses and weights as without scaling (unscaled before the optimizer)', async () => {
    const plain = await train('momentum', undefined, 3)
    const scaled = await train('momentum', scaling(1024), 3)
    expect(scaled.losses).toEqual(plain.losses)
    expect(scaled.weights).toEqual(plain.weights)
    expect(scaled.outcome.lossScaling).toEqual({ skippedSteps: 0, steps: 3, scale: 1024 })
    expect(plain.outcome.lossScaling).toBeUndefined()
  })

  for (const optimizer of ['momentum', 'adam'] as const) {
    it(`an overflowing step is skipped without changing the weights (${optimizer}), and the scale backs off`, async () => {
      const initial = buildModel()
      const before = initial.getWeights().map((w) => Array.from(w.dataSync()))
      initial.dispose()
      // The scaled gradients overflow f32 (3.4e38): 2^127 (1.7e38) times pixels up to 100 in the first layer's.
      const overflow = await train(optimizer, scaling(2 ** 127), 1, 100)
      expect(overflow.weights).toEqual(before)
      expect(overflow.outcome.lossScaling).toEqual({ skippedSteps: 1, steps: 1, scale: 2 ** 126 })
      // Not counted as a step in the optimizer's saved state (Adam resumes its bias correction from it).
      expect(overflow.iterations).toBe(0)
      // The loss itself is the forward pass's, unscaled and finite.
      expect(overflow.losses).toHaveLength(1)
      expect(Number.isFinite(overflow.losses[0])).toBe(true)
      expect(lossScalingNote(overflow.outcome.lossScaling!)).toBe(`mixed precision: 1 step of 1 skipped for gradient overflow in f16; loss scale now ${2 ** 126}`)
    })
  }

  it('hands the scale reached to the checkpoint, and a resumed run starts from it', async () => {
    const first = await train('sgd', scaling(4, 2), 3)
    expect(first.checkpointScale).toBe(8)
    // Resumed with the checkpoint's scale: it grows on from 8, not from the configured 4.
    const resumed = await train('sgd', scaling(4, 2), 3, 1, first.checkpointScale)
    expect(resumed.outcome.lossScaling).toEqual({ skippedSteps: 0, steps: 3, scale: 16 })
    expect((await train('sgd', undefined, 1)).checkpointScale).toBeUndefined()
  })

  it('the scale grows by its factor after each run of growthInterval good steps', async () => {
    const { outcome } = await train('sgd', scaling(4, 2), 3)
    // Steps 1-3: grows after step 2.
    expect(outcome.lossScaling).toEqual({ skippedSteps: 0, steps: 3, scale: 8 })
    expect((await train('sgd', scaling(4, 2), 3)).iterations).toBe(3)
  })
})

describe('DynamicLossScaler.step', () => {
  it("puts back every variable a skipped step assigned: weights, Adam's moments and its running beta powers", async () => {
    await tf.setBackend('cpu')
    const w = tf.variable(tf.tensor1d([0.5, -1, 2]), true, 'scaler_test_w')
    const optimizer = createOptimizer('adam', 0.1)
    const scaler = new DynamicLossScaler(scaling(8))
    const snapshot = () => Object.fromEntries(Object.entries(tf.engine().state.registeredVariables).filter(([name]) => !name.startsWith('lossScale')).map(([name, v]) => [name, Array.from(v.dataSync())]))
    const apply = (grads: tf.NamedTensorMap) => {
      try {
        optimizer.applyGradients(grads)
      } finally {
        tf.dispose(grads)
      }
    }
    // A good step first, so that Adam's slots exist.
    const good = scaler.step({ scaler_test_w: tf.tensor1d([8, 16, -8]) }, apply)
    expect(await scaler.read(good)).toBe(true)
    const afterGood = snapshot()
    // Adam's first step moves each weight by the rate against its gradient's sign.
    afterGood.scaler_test_w.forEach((v, i) => expect(v).toBeCloseTo([0.4, -1.1, 2.1][i], 5))
    const bad = scaler.step({ scaler_test_w: tf.tensor1d([8, Infinity, NaN]) }, apply)
    expect(await scaler.read(bad)).toBe(false)
    const afterBad = snapshot()
    expect(Object.keys(afterBad).length).toBeGreaterThan(3) // w, two moments, beta powers
    expect(afterBad).toEqual(afterGood)
    expect(scaler.summary()).toEqual({ skippedSteps: 1, steps: 2, scale: 4 })
    scaler.dispose()
    optimizer.dispose()
    w.dispose()
  })
})
