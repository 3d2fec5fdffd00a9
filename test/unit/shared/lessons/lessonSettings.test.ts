import { describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs-core'
import { AugmentConfig, TrainConfig } from '../../../../shared/api/schemas'
import { analyzeModel } from '../../../../shared/arch/layerMath'
import { getArchitecture } from '../../../../shared/arch/specs'
import { epochOrder, inMemoryBatchSource } from '../../../../main/data/pipeline/batchSource'
import { createRandom } from '../../../../main/data/pipeline/seededRandom'
import { initWasmBackend } from '../../../../main/backends/wasm/initWasmBackend'
import { createModel } from '../../../../main/engine/model/modelFactory'
import { trainModel } from '../../../../main/engine/trainingLoop/trainer'
import { evaluate } from '../../../../main/engine/trainingLoop/evaluation'
import type { TrainOptions } from '../../../../main/engine/trainingLoop/trainingContract'
import { openDataset } from '../../../../main/data/datasetRegistry'

/** The settings the lessons need from the data pipeline, the trainer and the GoogLeNet family (issue #19). */
describe('class-sorted order (lesson shuffle)', () => {
  const labels = Uint8Array.from([3, 0, 2, 0, 3, 1, 2, 1])

  it('puts every image of class 0 first, then class 1, ..., keeping the stored order within a class, every epoch alike', () => {
    const order = Array.from(epochOrder(labels.length, 5, 1, 'class-sorted', labels))
    expect(order).toEqual([1, 3, 5, 7, 2, 6, 0, 4])
    expect(Array.from(epochOrder(labels.length, 5, 2, 'class-sorted', labels))).toEqual(order)
  })

  it('needs the labels, and leaves the other orders as they were', () => {
    expect(() => epochOrder(labels.length, 5, 1, 'class-sorted')).toThrow(/label/)
    expect(Array.from(epochOrder(4, 5, 1, false))).toEqual([0, 1, 2, 3])
    expect(Array.from(epochOrder(labels.length, 5, 1, true)).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
  })

  it('reaches the batches: an in-memory source yields the labels sorted', async () => {
    const split = { count: labels.length, images: new Float32Array(labels.length * 4), labels }
    const source = inMemoryBatchSource(split, [2, 2, 1], { seed: 1, shuffle: 'class-sorted' })
    const seen: number[] = []
    for await (const batch of source.batches(1, 3)) seen.push(...batch.labels)
    expect(seen).toEqual([0, 0, 1, 1, 2, 2, 3, 3])
  })

  it('is a TrainConfig value; run.json files from before (true/false) still parse, and a wrong value is refused', () => {
    const base = { arch: 'lenet-relu', dataset: 'mnist', epochs: 1, batchSize: 8, learningRate: 0.1 } as const
    expect(TrainConfig.parse({ ...base, shuffle: 'class-sorted' }).shuffle).toBe('class-sorted')
    expect(TrainConfig.parse({ ...base, shuffle: false }).shuffle).toBe(false)
    expect(TrainConfig.parse(base).shuffle).toBe(true)
    expect(TrainConfig.parse(base).evaluateTrainSplit).toBeUndefined()
    expect(TrainConfig.safeParse({ ...base, shuffle: 'sorted' }).success).toBe(false)
  })
})

describe('GoogLeNet without its 1x1 reductions (lesson one-by-one-conv)', () => {
  const params = (reductions: boolean) => analyzeModel(getArchitecture('googlenet', { knobs: { reductions } }), getArchitecture('googlenet').input)

  it('the default keeps them (the notes\u2019 GoogLeNet)', () => {
    expect(getArchitecture('googlenet').knobs.reductions).toBe(true)
    expect(params(true).totalParams).toBe(analyzeModel(getArchitecture('googlenet'), getArchitecture('googlenet').input).totalParams)
  })

  it('without them, the 3x3 and 5x5 convolutions read the block\u2019s input: inception1 gains exactly what the formula says', () => {
    const block = (info: ReturnType<typeof params>) => info.layers.filter((layer) => layer.name.startsWith('b3.inception1.')).reduce((sum, layer) => sum + layer.params, 0)
    // Inception(192, 64, (96, 128), (16, 32), 32): with, 1x1 192->96 then 3x3 96->128, 1x1 192->16 then 5x5 16->32;
    // without, 3x3 192->128 and 5x5 192->32. Weights plus biases.
    const withReductions = 192 * 96 + 96 + 9 * 96 * 128 + 128 + 192 * 16 + 16 + 25 * 16 * 32 + 32
    const without = 9 * 192 * 128 + 128 + 25 * 192 * 32 + 32
    expect(block(params(false)) - block(params(true))).toBe(without - withReductions)
    expect(params(false).totalMacs / params(true).totalMacs).toBeGreaterThan(2)
  })
})

describe('training accuracy in evaluation mode (evaluateTrainSplit)', () => {
  it('the trainer reports the training split evaluated after each epoch, and nothing when not asked', async () => {
    await initWasmBackend()
    await tf.setBackend('wasm')
    const random = createRandom(3)
    const images = (count: number) => Float32Array.from({ length: count * 784 }, () => random())
    const split = { count: 24, images: images(24), labels: Uint8Array.from({ length: 24 }, (_, i) => i % 10) }
    const test = { count: 10, images: images(10), labels: Uint8Array.from({ length: 10 }, (_, i) => (i * 3) % 10) }
    const schedule = { ...TrainConfig.parse({ arch: 'lenet-relu', dataset: 'mnist', epochs: 2, batchSize: 8, learningRate: 0.01 }), lrSchedule: 'constant' as const }
    const options: TrainOptions = { epochs: 2, batchSize: 8, optimizer: 'adam', schedule, weightDecay: 0, classes: 10, imageShape: [28, 28, 1] }
    const run = async (withTrainEval: boolean) => {
      const spec = getArchitecture('lenet-relu', { classes: 10, knobs: { dropout: 0.5 } })
      const model = createModel(spec, spec.input, 5)
      const train = inMemoryBatchSource(split, [28, 28, 1], { seed: 1 })
      const trainEval = inMemoryBatchSource(split, [28, 28, 1], { seed: 0, shuffle: false })
      const outcome = await trainModel(model, { train, test, ...(withTrainEval ? { trainEval } : {}) }, options, { onBatch: () => {}, onEpoch: () => {}, shouldStop: () => false })
      // The last epoch's numbers are those of the final weights: evaluate them again, by hand.
      const again = await evaluate(model, split, options)
      model.dispose()
      return { epochs: outcome.epochs, again }
    }
    const { epochs, again } = await run(true)
    expect(epochs).toHaveLength(2)
    expect(epochs[1].trainEvalAccuracy).toBeCloseTo(again.accuracy, 6)
    expect(epochs[1].trainEvalLoss).toBeCloseTo(again.loss, 5)
    expect(epochs[0].trainEvalLoss).not.toBe(epochs[0].testLoss)
    expect((await run(false)).epochs[0].trainEvalAccuracy).toBeUndefined()
  }, 120_000)

  it('the data set\'s trainEval is the training split as stored: no augmentation, no shuffle', async () => {
    const augment = AugmentConfig.parse({ cropPadding: 4, flip: true })
    const dataset = await openDataset('mnist', { seed: 3, validationFraction: 0, limit: 20, normalize: 'none', shuffle: true, augment })
    const seen: { images: Float32Array; labels: number[] }[] = []
    for await (const batch of dataset.trainEval.batches(1, 20)) seen.push({ images: batch.images, labels: Array.from(batch.labels) })
    const stored = await Promise.all(Array.from({ length: 20 }, (_, i) => dataset.image('train', i)))
    expect(seen[0].labels).toEqual(stored.map((entry) => entry!.label))
    expect(Array.from(seen[0].images.subarray(0, 784))).toEqual(Array.from(stored[0]!.pixels as Float32Array))
  }, 120_000)
})

describe('testLimit: a fixed sample of the test split', () => {
  it('keeps N test images, a mix of classes, the same ones whatever the run\'s seed; absent keeps them all', async () => {
    const open = (seed: number, testLimit?: number) => openDataset('mnist', { seed, validationFraction: 0, limit: 10, normalize: 'none', shuffle: true, ...(testLimit ? { testLimit } : {}) })
    const [a, b, all] = await Promise.all([open(1, 200), open(2, 200), open(1)])
    expect(a.counts.test).toBe(200)
    expect(all.counts.test).toBe(10_000)
    expect(a.classCounts.test.every((count) => count >= 5)).toBe(true)
    const labels = async (dataset: typeof a) => {
      const out: number[] = []
      for await (const batch of dataset.test.batches(0, 100)) out.push(...batch.labels)
      return out
    }
    expect(await labels(a)).toEqual(await labels(b))
    expect((await labels(a)).slice(0, 50)).not.toEqual((await labels(all)).slice(0, 50))
  }, 120_000)
})
