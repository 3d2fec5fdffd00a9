import * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import type { BatchSource } from '../../data/pipeline/batchSource'
import { GPU_DATA_ENV, openDeviceBatches, type DeviceBatchSource } from '../../backends/webgpu/gpuBatches'
import { environment } from '../../config/environment'
import { createGradientEngine, type GradientEngine } from './parallel/gradientEngine'
import { createOptimizer } from './optimizers'
import { DynamicLossScaler } from './lossScaler'
import { ScheduledLearningRate } from './scheduledLearningRate'
import { chooseStepRunner, type StepRunner, type TrainingBatch } from './stepRunners'
import { defaultReadBehind, type TrainerCallbacks, type TrainOptions, type TrainStart } from './trainingContract'

/** What one call of trainModel holds from its first batch to its end; `dispose` frees it all. */
export interface TrainingSetup {
  optimizer: tf.Optimizer
  rate: ScheduledLearningRate
  scaler?: DynamicLossScaler
  step: StepRunner
  readBehind: number
  /** Where the training batches are built: on the GPU (uploaded once) or on the CPU. */
  inputPipeline: 'gpu' | 'cpu'
  batches(epoch: number): AsyncIterable<TrainingBatch> | Iterable<TrainingBatch>
  dispose(): Promise<void>
}

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

/** The optimizer (restored when resuming), the gradient engine, the batches' source, the loss scaler and the step that uses them. */
export async function setUpTraining(model: tfl.LayersModel, train: BatchSource, options: TrainOptions, callbacks: TrainerCallbacks, start: TrainStart): Promise<TrainingSetup> {
  const rate = new ScheduledLearningRate(options.schedule, options.optimizer, start.epochsDone)
  const optimizer = createOptimizer(options.optimizer, rate.current)
  if (start.optimizerWeights) await optimizer.setWeights(start.optimizerWeights)
  const engine = await createGradientEngine(model, options).catch((error: unknown) => {
    optimizer.dispose()
    throw error
  })
  const note = callbacks.onNote ?? ((message: string) => console.warn(message))
  let onDevice: DeviceBatchSource | undefined
  try {
    onDevice = openTrainingDataOnDevice(train, engine, options, note)
  } catch (error) {
    optimizer.dispose()
    await engine.dispose()
    throw error
  }
  const scaler = options.lossScaling ? new DynamicLossScaler({ ...options.lossScaling, ...(start.lossScale ? { initialScale: start.lossScale } : {}) }) : undefined
  const readBehind = options.readBehind ?? defaultReadBehind(tf.getBackend())
  return {
    optimizer,
    rate,
    scaler,
    readBehind,
    step: chooseStepRunner({ engine, optimizer, gradientClipNorm: options.gradientClipNorm, scaler, batchesOnDevice: !!onDevice, readBehind }),
    inputPipeline: onDevice ? 'gpu' : 'cpu',
    batches: (epoch) => (onDevice ? onDevice.batches(epoch, options.batchSize) : train.batches(epoch, options.batchSize)),
    async dispose() {
      onDevice?.dispose()
      optimizer.dispose()
      scaler?.dispose()
      await engine.dispose()
    },
  }
}
