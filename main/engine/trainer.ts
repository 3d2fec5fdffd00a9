import * as tf from '@tensorflow/tfjs-core'
import type { NamedTensor } from '@tensorflow/tfjs-core/dist/tensor_types'
import type * as tfl from '@tensorflow/tfjs-layers'
import type { OptimizerName } from '../../shared/arch/specs'
import type { DataSplit } from '../data/dataset'
import { learningRateAt, type LrScheduleConfig } from './lrSchedule'
import { createOptimizer, setLearningRate } from './optimizers'
import { inMemoryBatchSource, type Batch, type BatchSource } from '../data/batchSource'
import { createGradientEngine } from './parallel/gradientEngine'
import { lossAndCorrect } from './modelStep'

// Where fitToModelInput lived before the model step had its own module; main/services/modelExchange.ts
// still imports it from here.
export { fitToModelInput } from './modelStep'

export interface TrainOptions {
  epochs: number
  batchSize: number
  optimizer: OptimizerName
  schedule: LrScheduleConfig
  weightDecay: number
  gradientClipNorm?: number
  earlyStoppingPatience?: number
  classes: number
  imageShape: [number, number, number]
  /**
   * Model replicas computing each batch's gradients in parallel, on worker threads (1 or absent: this
   * thread alone). Used on the wasm backend only, which runs one thread in Node; see createGradientEngine.
   */
  parallelism?: number
}

/** Where a resumed run picks up: the epochs already done and the optimizer's saved state. */
export interface TrainStart {
  epochsDone: number
  optimizerWeights?: NamedTensor[]
  bestValidationLoss?: number
  epochsWithoutImprovement?: number
}

export interface BatchReport {
  epoch: number
  samplesSeen: number
  totalSamples: number
  loss: number
  accuracy: number
  learningRate: number
}

export interface EpochReport {
  epoch: number
  trainLoss: number
  trainAccuracy: number
  validationLoss?: number
  validationAccuracy?: number
  testLoss: number
  testAccuracy: number
  learningRate: number
  seconds: number
}

export interface EpochEndState {
  optimizer: tf.Optimizer
  bestValidationLoss?: number
  epochsWithoutImprovement: number
}

export interface TrainerCallbacks {
  onBatch(report: BatchReport): void
  /** Awaited before the next epoch starts: the place to write a checkpoint. */
  onEpoch(report: EpochReport, state: EpochEndState): Promise<void> | void
  /** Polled between batches; true ends training after the current batch. */
  shouldStop(): boolean
  /** Awaited between batches; resolves at once unless the run is paused. */
  untilResumed?(): Promise<void>
}

export interface TrainOutcome {
  stopped: boolean
  earlyStopped: boolean
  epochs: EpochReport[]
  /** Of the last epoch, complete or cut short by a stop. */
  trainLoss: number
  trainAccuracy: number
  trainSeconds: number
  samplesTrained: number
}

export class NonFiniteLossError extends Error {
  constructor(epoch: number, samplesSeen: number, learningRate: number) {
    super(
      `loss became NaN or infinite in epoch ${epoch} after ${samplesSeen} samples at learning rate ${learningRate}; ` +
        `it is probably too high — try ${Number((learningRate / 10).toPrecision(3))}`,
    )
    this.name = 'NonFiniteLossError'
  }
}

/** A held-out split as a BatchSource; in-memory splits (float pixels) are wrapped, in their stored order. */
export function asBatchSource(data: BatchSource | DataSplit, imageShape: [number, number, number]): BatchSource {
  return 'batches' in data ? data : inMemoryBatchSource(data, imageShape, { seed: 0, shuffle: false })
}

/** Mean loss and accuracy over a split, streamed batch by batch in its stored order (shuffle off). */
export interface Evaluation {
  loss: number
  accuracy: number
  /** rows: true class, columns: predicted class; only when asked for. */
  confusionMatrix?: number[][]
}

export async function evaluate(
  model: tfl.LayersModel,
  data: BatchSource | DataSplit,
  options: Pick<TrainOptions, 'classes' | 'imageShape'>,
  batchSize = 500,
  withConfusionMatrix = false,
): Promise<Evaluation> {
  const source = asBatchSource(data, options.imageShape)
  const confusion = withConfusionMatrix ? Array.from({ length: options.classes }, () => new Array<number>(options.classes).fill(0)) : undefined
  let lossSum = 0
  let correctSum = 0
  let count = 0
  for await (const batch of source.batches(0, batchSize)) {
    const [loss, correct] = tf.tidy(() => {
      const x = tf.tensor4d(batch.images, [batch.size, ...source.imageShape])
      const y = tf.tensor1d(batch.labels, 'int32')
      const result = lossAndCorrect(model, x, y, options.classes, false)
      if (confusion) {
        const predicted = result.predicted.dataSync()
        for (let i = 0; i < batch.size; i++) confusion[batch.labels[i]][predicted[i]]++
      }
      return [result.loss.dataSync()[0], result.correct.dataSync()[0]]
    })
    lossSum += loss * batch.size
    correctSum += correct
    count += batch.size
  }
  return { loss: count ? lossSum / count : NaN, accuracy: count ? correctSum / count : 0, confusionMatrix: confusion }
}

/** Of each true class, the fraction predicted right: the confusion matrix's diagonal over its row sums. */
export function perClassAccuracy(confusion: number[][]): number[] {
  return confusion.map((row, i) => {
    const total = row.reduce((a, b) => a + b, 0)
    return total ? row[i] / total : 0
  })
}

export function clipByGlobalNorm(grads: tf.NamedTensorMap, maxNorm: number): tf.NamedTensorMap {
  const norm = tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g)))))
  const scale = tf.minimum(1, tf.div(maxNorm, tf.add(norm, 1e-6)))
  return Object.fromEntries(Object.entries(grads).map(([name, g]) => [name, tf.mul(g, scale)]))
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve))

/**
 * Mini-batch training with a seeded shuffle per epoch, a learning-rate schedule, optional weight decay,
 * gradient clipping and early stopping. Knows nothing of processes or windows: progress leaves through
 * callbacks, and stop/pause requests are polled between batches.
 */
export async function trainModel(
  model: tfl.LayersModel,
  data: { train: BatchSource; validation?: BatchSource | DataSplit; test: BatchSource | DataSplit },
  options: TrainOptions,
  callbacks: TrainerCallbacks,
  start: TrainStart = { epochsDone: 0 },
): Promise<TrainOutcome> {
  const optimizer = createOptimizer(options.optimizer, learningRateAt(options.schedule, start.epochsDone))
  if (start.optimizerWeights) await optimizer.setWeights(start.optimizerWeights)
  const engine = await createGradientEngine(model, options).catch((error: unknown) => {
    optimizer.dispose()
    throw error
  })
  const totalSamples = data.train.count * options.epochs
  const epochs: EpochReport[] = []
  let samplesSeen = data.train.count * start.epochsDone
  let samplesTrained = 0
  let trainSeconds = 0
  let stopped = false
  let earlyStopped = false
  let trainLoss = NaN
  let trainAccuracy = 0
  let bestValidationLoss = start.bestValidationLoss
  let epochsWithoutImprovement = start.epochsWithoutImprovement ?? 0
  let learningRate = learningRateAt(options.schedule, start.epochsDone)

  // Loss (weight-decay penalty included), correct count and gradients come from the engine, in this
  // thread or split over replicas; clipping and the optimizer step stay here, the same for both.
  const step = async (batch: Batch): Promise<[number, number]> => {
    const { loss, correct, grads } = await engine.compute(batch.images, batch.labels, batch.size)
    try {
      tf.tidy(() => optimizer.applyGradients(options.gradientClipNorm ? clipByGlobalNorm(grads, options.gradientClipNorm) : grads))
    } finally {
      tf.dispose(grads)
    }
    return [loss, correct]
  }

  try {
    for (let epoch = start.epochsDone + 1; epoch <= options.epochs && !stopped && !earlyStopped; epoch++) {
      const epochStart = performance.now()
      let lossSum = 0
      let correctSum = 0
      let epochSamples = 0
      for await (const batch of data.train.batches(epoch, options.batchSize)) {
        learningRate = learningRateAt(options.schedule, epoch - 1 + epochSamples / data.train.count)
        setLearningRate(optimizer, learningRate)
        const [loss, correct] = await step(batch)
        if (!Number.isFinite(loss)) throw new NonFiniteLossError(epoch, samplesSeen + batch.size, learningRate)
        samplesSeen += batch.size
        samplesTrained += batch.size
        epochSamples += batch.size
        lossSum += loss * batch.size
        correctSum += correct
        trainLoss = lossSum / epochSamples
        trainAccuracy = correctSum / epochSamples
        callbacks.onBatch({ epoch, samplesSeen, totalSamples, loss, accuracy: correct / batch.size, learningRate })
        await yieldToEventLoop()
        if (callbacks.untilResumed) await callbacks.untilResumed()
        if (callbacks.shouldStop()) {
          stopped = true
          break
        }
      }
      trainSeconds += (performance.now() - epochStart) / 1000
      if (stopped) break
      const validation = data.validation?.count ? await evaluate(model, data.validation, options) : undefined
      const test = await evaluate(model, data.test, options)
      const watched = validation?.loss ?? test.loss
      if (bestValidationLoss === undefined || watched < bestValidationLoss) {
        bestValidationLoss = watched
        epochsWithoutImprovement = 0
      } else {
        epochsWithoutImprovement++
      }
      const report: EpochReport = {
        epoch,
        trainLoss,
        trainAccuracy,
        validationLoss: validation?.loss,
        validationAccuracy: validation?.accuracy,
        testLoss: test.loss,
        testAccuracy: test.accuracy,
        learningRate,
        seconds: (performance.now() - epochStart) / 1000,
      }
      epochs.push(report)
      await callbacks.onEpoch(report, { optimizer, bestValidationLoss, epochsWithoutImprovement })
      if (options.earlyStoppingPatience !== undefined && epochsWithoutImprovement >= options.earlyStoppingPatience) earlyStopped = true
    }
  } finally {
    optimizer.dispose()
    await engine.dispose()
  }
  return { stopped, earlyStopped, epochs, trainLoss, trainAccuracy, trainSeconds, samplesTrained }
}
