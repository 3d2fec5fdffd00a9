import { afterEach, describe, expect, it, vi } from 'vitest'
import * as tf from '@tensorflow/tfjs-core'
import { initWasmBackend } from '../../../../main/backends/wasm/initWasmBackend'
import { TrainConfig } from '../../../../shared/api/schemas'
import { getArchitecture } from '../../../../shared/arch/specs'
import { createModel } from '../../../../main/engine/model/modelFactory'
import { createRandom } from '../../../../main/data/pipeline/seededRandom'
import { inMemoryBatchSource } from '../../../../main/data/pipeline/batchSource'
import { createOptimizer } from '../../../../main/engine/trainingLoop/optimizers'
import type { NativeMomentumOptimizer } from '../../../../main/engine/trainingLoop/nativeOptimizers'
import { learningRateAt } from '../../../../main/engine/trainingLoop/lrSchedule'
import { trainModel } from '../../../../main/engine/trainingLoop/trainer'
import type { BatchReport, TrainOptions } from '../../../../main/engine/trainingLoop/trainingContract'

const SHAPE: [number, number, number] = [28, 28, 1]
const PIXELS = 28 * 28

/**
 * The schedule's rate is what each step runs at: the rate reported with a batch is the one the optimizer
 * held when it applied that batch's gradients, and it follows the warm-up batch by batch.
 */
describe('trainer: the learning rate each step runs at', () => {
  afterEach(() => vi.restoreAllMocks())

  it('is the scheduled rate reported with its batch, from the start through the warm-up', async () => {
    await initWasmBackend()
    await tf.setBackend('wasm')
    const count = 40
    const random = createRandom(3)
    const split = { count, images: Float32Array.from({ length: count * PIXELS }, () => random()), labels: Uint8Array.from({ length: count }, () => Math.floor(random() * 10)) }
    const schedule = { ...TrainConfig.parse({ arch: 'lenet-relu', dataset: 'mnist', epochs: 2, batchSize: 8, learningRate: 0.1, warmupEpochs: 1 }), lrSchedule: 'constant' as const }
    // The optimizer's class, to see the rate it holds at each of its steps.
    const probe = createOptimizer('momentum', 0.1)
    const proto = Object.getPrototypeOf(probe) as NativeMomentumOptimizer
    probe.dispose()
    const original = proto.applyGradientsClipped
    const applied: number[] = []
    // Momentum's tfjs kernels step by the scalar c = -rate, the native step by the field: both must follow.
    const scalars: number[] = []
    vi.spyOn(proto, 'applyGradientsClipped').mockImplementation(function (this: NativeMomentumOptimizer, ...args: Parameters<NativeMomentumOptimizer['applyGradientsClipped']>) {
      const own = this as unknown as { learningRate: number; c: tf.Scalar }
      applied.push(own.learningRate)
      scalars.push(-own.c.dataSync()[0])
      return original.apply(this, args)
    })
    const spec = getArchitecture('lenet-relu', { classes: 10 })
    const model = createModel(spec, spec.input, 5)
    const options: TrainOptions = { epochs: 2, batchSize: 8, optimizer: 'momentum', schedule, weightDecay: 0, classes: 10, imageShape: SHAPE, readBehind: 0 }
    const batches: BatchReport[] = []
    const test = { count: 4, images: split.images.subarray(0, 4 * PIXELS), labels: split.labels.subarray(0, 4) }
    await trainModel(model, { train: inMemoryBatchSource(split, SHAPE, { seed: 1 }), test }, options, {
      onBatch: (report) => batches.push(report),
      onEpoch: () => undefined,
      shouldStop: () => false,
    })
    model.dispose()
    expect(batches).toHaveLength(10)
    expect(applied).toEqual(batches.map((b) => b.learningRate))
    expect(scalars).toEqual(applied.map(Math.fround))
    expect(batches.map((b) => b.learningRate)).toEqual(batches.map((_, i) => learningRateAt(schedule, (i * 8) / count)))
    expect(new Set(applied).size).toBeGreaterThan(5)
  })
})
