import * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import type { OptimizerName } from '../../shared/arch/specs'
import type { DataSplit } from '../data/dataset'
import { createRandom, shuffledIndices } from './seededRandom'

export interface TrainOptions {
  epochs: number
  batchSize: number
  learningRate: number
  optimizer: OptimizerName
  seed: number
  classes: number
  imageShape: [number, number, number]
}

export interface BatchReport {
  epoch: number
  samplesSeen: number
  totalSamples: number
  loss: number
  accuracy: number
}

export interface EpochReport {
  epoch: number
  trainLoss: number
  trainAccuracy: number
  testLoss: number
  testAccuracy: number
  seconds: number
}

export interface TrainerCallbacks {
  onBatch(report: BatchReport): void
  onEpoch(report: EpochReport): void
  /** Polled between batches; true ends training after the current batch. */
  shouldStop(): boolean
}

export interface TrainOutcome {
  stopped: boolean
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
      `loss became NaN or infinite in epoch ${epoch} after ${samplesSeen} samples; ` +
        `the learning rate ${learningRate} is probably too high — try ${learningRate / 10}`,
    )
    this.name = 'NonFiniteLossError'
  }
}

function createOptimizer(name: OptimizerName, learningRate: number): tf.Optimizer {
  switch (name) {
    case 'sgd':
      return tf.train.sgd(learningRate)
    case 'momentum':
      return tf.train.momentum(learningRate, 0.9)
    case 'adam':
      return tf.train.adam(learningRate)
  }
}

/** Copies the selected images into one contiguous batch buffer (NHWC) and their labels. */
function gatherBatch(split: DataSplit, order: Uint32Array, start: number, end: number, pixels: number) {
  const size = end - start
  const images = new Float32Array(size * pixels)
  const labels = new Int32Array(size)
  for (let i = 0; i < size; i++) {
    const index = order[start + i]
    images.set(split.images.subarray(index * pixels, (index + 1) * pixels), i * pixels)
    labels[i] = split.labels[index]
  }
  return { images, labels, size }
}

function lossAndCorrect(model: tfl.LayersModel, x: tf.Tensor4D, labels: tf.Tensor1D, classes: number, training: boolean) {
  const logits = model.apply(x, { training }) as tf.Tensor2D
  const loss = tf.losses.softmaxCrossEntropy(tf.oneHot(labels, classes), logits) as tf.Scalar
  const correct = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32')) as tf.Scalar
  return { loss, correct }
}

export function evaluate(model: tfl.LayersModel, split: DataSplit, options: Pick<TrainOptions, 'classes' | 'imageShape'>, batchSize = 500) {
  const pixels = options.imageShape[0] * options.imageShape[1] * options.imageShape[2]
  let lossSum = 0
  let correctSum = 0
  for (let start = 0; start < split.count; start += batchSize) {
    const end = Math.min(split.count, start + batchSize)
    const [loss, correct] = tf.tidy(() => {
      const x = tf.tensor4d(split.images.subarray(start * pixels, end * pixels), [end - start, ...options.imageShape])
      const y = tf.tensor1d(split.labels.subarray(start, end), 'int32')
      const result = lossAndCorrect(model, x, y, options.classes, false)
      return [result.loss.dataSync()[0], result.correct.dataSync()[0]]
    })
    lossSum += loss * (end - start)
    correctSum += correct
  }
  return { loss: lossSum / split.count, accuracy: correctSum / split.count }
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve))

/**
 * Mini-batch training with a seeded shuffle per epoch. Knows nothing of processes or windows: progress
 * leaves through callbacks, and a stop request is polled between batches.
 */
export async function trainModel(
  model: tfl.LayersModel,
  data: { train: DataSplit; test: DataSplit },
  options: TrainOptions,
  callbacks: TrainerCallbacks,
): Promise<TrainOutcome> {
  const optimizer = createOptimizer(options.optimizer, options.learningRate)
  const random = createRandom(options.seed)
  const pixels = options.imageShape[0] * options.imageShape[1] * options.imageShape[2]
  const totalSamples = data.train.count * options.epochs
  const epochs: EpochReport[] = []
  let samplesSeen = 0
  let trainSeconds = 0
  let stopped = false
  let trainLoss = NaN
  let trainAccuracy = 0
  try {
    for (let epoch = 1; epoch <= options.epochs && !stopped; epoch++) {
      const epochStart = performance.now()
      const order = shuffledIndices(data.train.count, random)
      let lossSum = 0
      let correctSum = 0
      let epochSamples = 0
      for (let start = 0; start < data.train.count; start += options.batchSize) {
        const batch = gatherBatch(data.train, order, start, Math.min(data.train.count, start + options.batchSize), pixels)
        const [loss, correct] = tf.tidy(() => {
          const x = tf.tensor4d(batch.images, [batch.size, ...options.imageShape])
          const y = tf.tensor1d(batch.labels, 'int32')
          let correctTensor: tf.Scalar | undefined
          const lossTensor = optimizer.minimize(() => {
            const result = lossAndCorrect(model, x, y, options.classes, true)
            correctTensor = tf.keep(result.correct)
            return result.loss
          }, true) as tf.Scalar
          const values = [lossTensor.dataSync()[0], correctTensor!.dataSync()[0]]
          correctTensor!.dispose()
          return values
        })
        if (!Number.isFinite(loss)) throw new NonFiniteLossError(epoch, samplesSeen + batch.size, options.learningRate)
        samplesSeen += batch.size
        epochSamples += batch.size
        lossSum += loss * batch.size
        correctSum += correct
        trainLoss = lossSum / epochSamples
        trainAccuracy = correctSum / epochSamples
        callbacks.onBatch({ epoch, samplesSeen, totalSamples, loss, accuracy: correct / batch.size })
        await yieldToEventLoop()
        if (callbacks.shouldStop()) {
          stopped = true
          break
        }
      }
      trainSeconds += (performance.now() - epochStart) / 1000
      if (stopped) break
      const test = evaluate(model, data.test, options)
      const report: EpochReport = {
        epoch,
        trainLoss,
        trainAccuracy,
        testLoss: test.loss,
        testAccuracy: test.accuracy,
        seconds: (performance.now() - epochStart) / 1000,
      }
      epochs.push(report)
      callbacks.onEpoch(report)
    }
  } finally {
    optimizer.dispose()
  }
  return { stopped, epochs, trainLoss, trainAccuracy, trainSeconds, samplesTrained: samplesSeen }
}
