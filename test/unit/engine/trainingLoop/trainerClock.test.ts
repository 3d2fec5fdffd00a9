import { describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs-core'
import { initWasmBackend } from '../../../../main/backends/wasm/initWasmBackend'
import { TrainConfig } from '../../../../shared/api/schemas'
import { getArchitecture } from '../../../../shared/arch/specs'
import { createModel } from '../../../../main/engine/model/modelFactory'
import { createRandom } from '../../../../main/data/pipeline/seededRandom'
import { inMemoryBatchSource } from '../../../../main/data/pipeline/batchSource'
import { trainModel } from '../../../../main/engine/trainingLoop/trainer'
import type { BatchReport, TrainOptions } from '../../../../main/engine/trainingLoop/trainingContract'
import { RunControl } from '../../../../main/training/runControl'

const SHAPE: [number, number, number] = [28, 28, 1]
const PIXELS = 28 * 28

/**
 * Every duration the trainer reports (batch and epoch training seconds, the outcome's) is read on the run's
 * clock: a pause between batches is not training time. The clock here moves only when the test moves it:
 * 100 ms per batch, 5 s while paused after the first batch.
 */
describe('trainer: durations on the run clock, pauses left out', () => {
  it('reports 0.1 s a batch, however long the run was paused', async () => {
    await initWasmBackend()
    await tf.setBackend('wasm')
    const count = 24
    const random = createRandom(3)
    const split = { count, images: Float32Array.from({ length: count * PIXELS }, () => random()), labels: Uint8Array.from({ length: count }, () => Math.floor(random() * 10)) }
    const schedule = { ...TrainConfig.parse({ arch: 'lenet-relu', dataset: 'mnist', epochs: 1, batchSize: 8, learningRate: 0.01 }), lrSchedule: 'constant' as const }
    const options: TrainOptions = { epochs: 1, batchSize: 8, optimizer: 'sgd', schedule, weightDecay: 0, classes: 10, imageShape: SHAPE, readBehind: 0 }
    const spec = getArchitecture('lenet-relu', { classes: 10 })
    const model = createModel(spec, spec.input, 5)
    let ms = 0
    const control = new RunControl(() => ms)
    const batches: BatchReport[] = []
    const epochSeconds: number[] = []
    const outcome = await trainModel(model, { train: inMemoryBatchSource(split, SHAPE, { seed: 1 }), test: split }, options, {
      onBatch: (report) => {
        batches.push(report)
        ms += 100
        if (batches.length === 1) {
          control.pause()
          setTimeout(() => {
            ms += 5000
            control.resume()
          }, 5)
        }
      },
      onEpoch: (report, state) => {
        epochSeconds.push(report.seconds, state.trainSeconds)
      },
      shouldStop: () => control.shouldStop,
      untilResumed: () => control.untilResumed(),
      now: () => control.now(),
    })
    model.dispose()
    expect(batches.map((batch) => batch.trainSeconds)).toEqual([0, 0.1, 0.2].map((s) => expect.closeTo(s, 9)))
    expect(outcome.trainSeconds).toBeCloseTo(0.3, 9)
    expect(epochSeconds).toEqual([expect.closeTo(0.3, 9), expect.closeTo(0.3, 9)])
  })
})
