import { describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs-core'
import { initWasmBackend } from '../../../../main/backends/wasm/initWasmBackend'
import { TrainConfig } from '../../../../shared/api/schemas'
import { getArchitecture } from '../../../../shared/arch/specs'
import { createModel } from '../../../../main/engine/model/modelFactory'
import { createRandom } from '../../../../main/data/pipeline/seededRandom'
import { inMemoryBatchSource } from '../../../../main/data/pipeline/batchSource'
import { trainModel } from '../../../../main/engine/trainingLoop/trainer'
import { defaultReadBehind, type BatchReport, type TrainOptions } from '../../../../main/engine/trainingLoop/trainingContract'

const SHAPE: [number, number, number] = [28, 28, 1]
const PIXELS = 28 * 28

/**
 * On webgpu the trainer queues batches before the earlier ones' loss is read back. The numbers, their
 * order and the weights must be exactly those of reading each batch at once (every other rung's way).
 */
describe('trainer: losses read back a few batches behind', () => {
  const count = 7 * 8 - 3 // seven steps, the last one short
  const random = createRandom(21)
  const images = Float32Array.from({ length: count * PIXELS }, () => random())
  const labels = Uint8Array.from({ length: count }, () => Math.floor(random() * 10))
  const split = { count, images, labels }
  const test = { count: 6, images: images.subarray(0, 6 * PIXELS), labels: labels.subarray(0, 6) }
  // A warm-up makes the learning rate change batch by batch: the schedule must follow queued batches.
  const schedule = { ...TrainConfig.parse({ arch: 'lenet-relu', dataset: 'mnist', epochs: 2, batchSize: 8, learningRate: 0.1, warmupEpochs: 1 }), lrSchedule: 'constant' as const }

  async function train(readBehind: number | undefined, stopAfterPolls = Infinity) {
    await initWasmBackend()
    await tf.setBackend('wasm')
    const spec = getArchitecture('lenet-relu', { classes: 10 })
    const model = createModel(spec, spec.input, 5)
    const options: TrainOptions = { epochs: 2, batchSize: 8, optimizer: 'momentum', schedule, weightDecay: 0.001, classes: 10, imageShape: SHAPE, ...(readBehind === undefined ? {} : { readBehind }) }
    const batches: (BatchReport & { pollsBefore: number })[] = []
    let polls = 0
    const outcome = await trainModel(model, { train: inMemoryBatchSource(split, SHAPE, { seed: 4 }), test }, options, {
      onBatch: (report) => batches.push({ ...report, pollsBefore: polls }),
      onEpoch: () => undefined,
      shouldStop: () => ++polls >= stopAfterPolls,
    })
    const weights = model.getWeights().map((w) => Array.from(w.dataSync()))
    model.dispose()
    return { batches, weights, outcome }
  }

  it('reports every batch, in order, with the same numbers and ends at the same weights', async () => {
    const direct = await train(0)
    const behind = await train(3)
    expect(behind.batches).toHaveLength(14)
    const numbers = (b: BatchReport) => ({ epoch: b.epoch, samplesSeen: b.samplesSeen, loss: b.loss, accuracy: b.accuracy, learningRate: b.learningRate })
    expect(behind.batches.map(numbers)).toEqual(direct.batches.map(numbers))
    expect(behind.weights).toEqual(direct.weights)
    expect(behind.outcome.trainLoss).toBe(direct.outcome.trainLoss)
    expect(behind.outcome.epochs.map((e) => e.testLoss)).toEqual(direct.outcome.epochs.map((e) => e.testLoss))
    // Reading behind is real: batch 1's numbers arrive once three more batches are queued (after 3 polls).
    expect(direct.batches[0].pollsBefore).toBe(0)
    expect(behind.batches[0].pollsBefore).toBe(3)
    // The learning rate rose batch by batch (the warm-up), so the schedule was exercised.
    expect(new Set(direct.batches.map((b) => b.learningRate)).size).toBeGreaterThan(5)
  }, 120_000)

  it('a stop drains the queued batches: the same batches reported as reading each at once', async () => {
    const direct = await train(0, 5)
    const behind = await train(3, 5)
    expect(behind.outcome.stopped).toBe(true)
    expect(behind.batches.map((b) => b.samplesSeen)).toEqual(direct.batches.map((b) => b.samplesSeen))
    expect(behind.batches).toHaveLength(5)
    expect(behind.weights).toEqual(direct.weights)
  }, 120_000)

  it('reads behind on webgpu only, unless told', () => {
    expect(defaultReadBehind('webgpu')).toBe(3)
    for (const backend of ['cpu', 'wasm', 'tensorflow']) expect(defaultReadBehind(backend)).toBe(0)
  })
})
