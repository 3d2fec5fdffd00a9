import * as tf from '@tensorflow/tfjs-core'
import type { NamedTensor } from '@tensorflow/tfjs-core/dist/tensor_types'
import type * as tfl from '@tensorflow/tfjs-layers'
import type { OptimizerName } from '../../../shared/arch/specs'
import { learningRateToTry } from '../../../shared/arch/learningRates'
import type { DataSplit } from '../../data/pipeline/dataset'
import { learningRateAt, type LrScheduleConfig } from './lrSchedule'
import { createOptimizer, setLearningRate, uncountStep } from './optimizers'
import { inMemoryBatchSource, type Batch, type BatchSource } from '../../data/pipeline/batchSource'
import { createGradientEngine } from './parallel/gradientEngine'
import { afterTrainingBatch, guardGpuRead } from '../../backends/webgpu/deviceHealth'
import { lossAndCorrect, type DeferredGradients } from '../model/modelStep'
import { GPU_DATA_ENV, openDeviceBatches, type DeviceBatch, type DeviceBatchSource } from '../../backends/webgpu/gpuBatches'
import type { GradientEngine } from './parallel/gradientEngine'
import { DynamicLossScaler, type LossScalingOptions, type LossScalingReport } from './lossScaler'
import { environment } from '../../config/environment'

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
  /**
   * Batches whose loss and accuracy may still be on their way back while later ones are queued (0: each
   * batch is read before the next starts). Absent: 3 on webgpu, where a per-batch read would stall the
   * GPU, 0 elsewhere. Every batch is still reported, in order; only later.
   */
  readBehind?: number
  /**
   * On webgpu, an in-memory training split is uploaded once and its batches built on the GPU (absent or
   * true); false (or WORKBENCH_WEBGPU_DATA=cpu) keeps the CPU input pipeline. Other backends and
   * streamed folders always use the CPU's.
   */
  gpuData?: boolean
  /**
   * Dynamic loss scaling (mixed precision; lossScaler.ts): the loss is scaled, the gradients unscaled
   * before clipping and the optimizer, and a step with non-finite gradients skipped, all on the device.
   * Absent: none (fp32).
   */
  lossScaling?: LossScalingOptions
}

/** Read-behind depth where none is given: the GPU rung only. */
export const defaultReadBehind = (backend: string): number => (backend === 'webgpu' ? 3 : 0)

/** Where a resumed run picks up: the epochs already done and the optimizer's saved state. */
export interface TrainStart {
  epochsDone: number
  optimizerWeights?: NamedTensor[]
  bestValidationLoss?: number
  epochsWithoutImprovement?: number
  /** Mixed precision: the loss scale the run had reached, so a resumed run does not climb back from 65536. */
  lossScale?: number
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
  /** The training split evaluated like the test split, when `data.trainEval` is given. */
  trainEvalLoss?: number
  trainEvalAccuracy?: number
  learningRate: number
  seconds: number
}

export interface EpochEndState {
  optimizer: tf.Optimizer
  /** Seconds spent training batches in this call of trainModel so far. */
  trainSeconds: number
  bestValidationLoss?: number
  epochsWithoutImprovement: number
  /** Mixed precision: the loss scale after the epoch's last step (for the checkpoint). */
  lossScale?: number
}

export interface TrainerCallbacks {
  onBatch(report: BatchReport): void
  /** Awaited before the next epoch starts: the place to write a checkpoint. */
  onEpoch(report: EpochReport, state: EpochEndState): Promise<void> | void
  /** Polled between batches; true ends training after the current batch. */
  shouldStop(): boolean
  /** Awaited between batches; resolves at once unless the run is paused. */
  untilResumed?(): Promise<void>
  /** Something the user should know that does not stop the run (e.g. why the data stays on the CPU); default: a console warning. */
  onNote?(message: string): void
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
  /** Where the training batches were built: 'gpu' (uploaded once, gathered on the device) or 'cpu'. */
  inputPipeline: 'gpu' | 'cpu'
  /** With loss scaling: the steps skipped for overflow and the scale reached. */
  lossScaling?: LossScalingReport
}

/** Which loss went non-finite: a training batch's, or an evaluation's (the weights diverged during the epoch). */
export type LossPhase = 'training' | 'validation' | 'test'

/**
 * A loss of NaN or ±Infinity, in training or evaluation: the run cannot go on (and Infinity cannot even
 * be stored), so it fails with the rate to try instead.
 */
export class NonFiniteLossError extends Error {
  /** `learningRate`: the rate the user set (the one to change); `scheduled`: the schedule's rate at that moment. */
  constructor(phase: LossPhase, loss: number, where: string, rate: { learningRate: number; scheduled: number; optimizer: OptimizerName }) {
    const scheduled = Math.abs(rate.scheduled - rate.learningRate) > 1e-9 * rate.learningRate ? ` (${Number(rate.scheduled.toPrecision(3))} at that point of the schedule)` : ''
    super(
      `the ${phase} loss became ${loss} ${where} at learning rate ${rate.learningRate}${scheduled}; ` +
        `the rate is probably too high for ${rate.optimizer} — try ${learningRateToTry(rate.optimizer, rate.learningRate)}`,
    )
    this.name = 'NonFiniteLossError'
  }
}

/** Throws NonFiniteLossError when an evaluation's loss is NaN or infinite. */
export function assertFiniteEvaluation(
  phase: Exclude<LossPhase, 'training'>,
  loss: number,
  where: string,
  rate: { learningRate: number; scheduled: number; optimizer: OptimizerName },
): void {
  if (!Number.isFinite(loss)) throw new NonFiniteLossError(phase, loss, where, rate)
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
    const outputs = tf.tidy(() => {
      const x = tf.tensor4d(batch.images, [batch.size, ...source.imageShape])
      const y = tf.tensor1d(batch.labels, 'int32')
      const result = lossAndCorrect(model, x, y, options.classes, false)
      return [result.loss, result.correct, ...(confusion ? [result.predicted] : [])]
    })
    // Asynchronous reads: the webgpu backend cannot read synchronously in Node.
    const values = await guardGpuRead(Promise.all(outputs.map((t) => t.data()))).finally(() => tf.dispose(outputs))
    const [loss, correct] = [values[0][0], values[1][0]]
    if (confusion) {
      const predicted = values[2]
      for (let i = 0; i < batch.size; i++) confusion[batch.labels[i]][predicted[i]]++
    }
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

/** The training split on the GPU where the backend is webgpu and the split in memory; otherwise, or if refused, undefined (CPU path). */
function openTrainingDataOnDevice(train: BatchSource, engine: GradientEngine, options: TrainOptions, note: (message: string) => void): DeviceBatchSource | undefined {
  if (options.gpuData === false || environment(GPU_DATA_ENV) === 'cpu') return undefined
  if (tf.getBackend() !== 'webgpu' || !train.inMemory || !engine.computeDeferredOnDevice) return undefined
  const opened = openDeviceBatches(train.inMemory)
  if ('refused' in opened) {
    note(`input pipeline: ${opened.refused}`)
    return undefined
  }
  return opened
}

/**
 * Mini-batch training with a seeded shuffle per epoch, a learning-rate schedule, optional weight decay,
 * gradient clipping and early stopping. Knows nothing of processes or windows: progress leaves through
 * callbacks, and stop/pause requests are polled between batches.
 */
export async function trainModel(
  model: tfl.LayersModel,
  // trainEval: the training split without augmentation, evaluated each epoch (the gap dropout and augmentation close).
  data: { train: BatchSource; trainEval?: BatchSource; validation?: BatchSource | DataSplit; test: BatchSource | DataSplit },
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
  const note = callbacks.onNote ?? ((message: string) => console.warn(message))
  let onDevice: DeviceBatchSource | undefined
  try {
    onDevice = openTrainingDataOnDevice(data.train, engine, options, note)
  } catch (error) {
    optimizer.dispose()
    await engine.dispose()
    throw error
  }
  const scaler = options.lossScaling ? new DynamicLossScaler({ ...options.lossScaling, ...(start.lossScale ? { initialScale: start.lossScale } : {}) }) : undefined
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
  const rateNow = () => ({ learningRate: options.schedule.learningRate, scheduled: learningRate, optimizer: options.optimizer })

  // Loss (weight-decay penalty included), correct count and gradients come from the engine, in this
  // thread or split over replicas; clipping and the optimizer step stay here, the same for both.
  const applyGradients = (grads: tf.NamedTensorMap) => {
    try {
      tf.tidy(() => optimizer.applyGradients(options.gradientClipNorm ? clipByGlobalNorm(grads, options.gradientClipNorm) : grads))
    } finally {
      tf.dispose(grads)
    }
  }
  const readBehind = options.readBehind ?? defaultReadBehind(tf.getBackend())
  // With read-behind, the step is queued on the device at once and its numbers arrive later.
  const step = async (batch: Batch): Promise<[number, number]> => {
    const { loss, correct, grads } = await engine.compute(batch.images, batch.labels, batch.size)
    applyGradients(grads)
    return [loss, correct]
  }
  const deferredStep = (batch: Batch | DeviceBatch, gradientScale?: tf.Scalar): DeferredGradients => {
    if ('x' in batch) return engine.computeDeferredOnDevice!(batch.x, batch.y, gradientScale)
    if (!engine.computeDeferred) throw new Error('loss scaling needs a gradient engine that reads its numbers back later (this thread\'s own)')
    return engine.computeDeferred(batch.images, batch.labels, batch.size, gradientScale)
  }
  // With loss scaling, the step's verdict (applied or skipped) is read with its loss, never on its own.
  const queueScaledStep = (batch: Batch | DeviceBatch, scaler: DynamicLossScaler): Promise<[number, number]> => {
    const { grads, readings } = deferredStep(batch, scaler.scale)
    const verdict = scaler.read(scaler.step(grads, applyGradients)).then((applied) => {
      if (!applied) uncountStep(optimizer)
    })
    return Promise.all([readings, verdict]).then(([numbers]) => numbers)
  }
  const queueStep = (batch: Batch | DeviceBatch): Promise<[number, number]> => {
    if (scaler) return queueScaledStep(batch, scaler)
    if ('x' in batch) {
      // Device batches: always deferred; without read-behind the loop awaits the readings at once.
      const { grads, readings } = deferredStep(batch)
      applyGradients(grads)
      return readings
    }
    if (readBehind <= 0 || !engine.computeDeferred) return step(batch)
    const { grads, readings } = engine.computeDeferred(batch.images, batch.labels, batch.size)
    applyGradients(grads)
    return readings
  }

  try {
    for (let epoch = start.epochsDone + 1; epoch <= options.epochs && !stopped && !earlyStopped; epoch++) {
      const epochStart = performance.now()
      let lossSum = 0
      let correctSum = 0
      let epochSamples = 0
      // Samples whose step is queued, reported or not: the schedule follows them, as without read-behind.
      let queuedSamples = 0
      const pending: { size: number; learningRate: number; readings: Promise<[number, number]> }[] = []
      const reportBatch = async (queued: (typeof pending)[number]) => {
        const [loss, correct] = await guardGpuRead(queued.readings)
        if (!Number.isFinite(loss)) {
          // Loss scaling does not touch the loss itself: in mixed precision the forward pass overflowed f16.
          const where = `in epoch ${epoch} after ${samplesSeen + queued.size} samples${scaler ? ' in mixed precision (f16 operands overflow beyond 65504; --precision fp32 avoids that)' : ''}`
          throw new NonFiniteLossError('training', loss, where, { ...rateNow(), scheduled: queued.learningRate })
        }
        samplesSeen += queued.size
        samplesTrained += queued.size
        epochSamples += queued.size
        lossSum += loss * queued.size
        correctSum += correct
        trainLoss = lossSum / epochSamples
        trainAccuracy = correctSum / epochSamples
        callbacks.onBatch({ epoch, samplesSeen, totalSamples, loss, accuracy: correct / queued.size, learningRate: queued.learningRate })
      }
      const batches: AsyncIterable<Batch> | Iterable<DeviceBatch> = onDevice ? onDevice.batches(epoch, options.batchSize) : data.train.batches(epoch, options.batchSize)
      for await (const batch of batches) {
        learningRate = learningRateAt(options.schedule, epoch - 1 + queuedSamples / data.train.count)
        setLearningRate(optimizer, learningRate)
        const readings = queueStep(batch)
        // Read later, maybe after a failure elsewhere: never an unhandled rejection meanwhile.
        readings.catch(() => {})
        pending.push({ size: batch.size, learningRate, readings })
        queuedSamples += batch.size
        while (pending.length > readBehind) await reportBatch(pending.shift()!)
        afterTrainingBatch()
        await yieldToEventLoop()
        if (callbacks.untilResumed) await callbacks.untilResumed()
        if (callbacks.shouldStop()) {
          stopped = true
          break
        }
      }
      while (pending.length) await reportBatch(pending.shift()!)
      trainSeconds += (performance.now() - epochStart) / 1000
      if (stopped) break
      const validation = data.validation?.count ? await evaluate(model, data.validation, options) : undefined
      const test = await evaluate(model, data.test, options)
      const trainEval = data.trainEval ? await evaluate(model, data.trainEval, options) : undefined
      // A batch's loss can stay finite while the weights it left behind make the held-out loss overflow.
      if (validation) assertFiniteEvaluation('validation', validation.loss, `after epoch ${epoch}`, rateNow())
      assertFiniteEvaluation('test', test.loss, `after epoch ${epoch}`, rateNow())
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
        ...(trainEval ? { trainEvalLoss: trainEval.loss, trainEvalAccuracy: trainEval.accuracy } : {}),
        learningRate,
        seconds: (performance.now() - epochStart) / 1000,
      }
      epochs.push(report)
      // One read of the scale per epoch, after the epoch's last loss was read: no stall between batches.
      const lossScale = scaler ? (await scaler.scale.data())[0] : undefined
      await callbacks.onEpoch(report, { optimizer, trainSeconds, bestValidationLoss, epochsWithoutImprovement, ...(lossScale ? { lossScale } : {}) })
      if (options.earlyStoppingPatience !== undefined && epochsWithoutImprovement >= options.earlyStoppingPatience) earlyStopped = true
    }
  } finally {
    onDevice?.dispose()
    optimizer.dispose()
    scaler?.dispose()
    await engine.dispose()
  }
  return { stopped, earlyStopped, epochs, trainLoss, trainAccuracy, trainSeconds, samplesTrained, inputPipeline: onDevice ? 'gpu' : 'cpu', ...(scaler ? { lossScaling: scaler.summary() } : {}) }
}
