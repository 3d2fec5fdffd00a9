import type * as tf from '@tensorflow/tfjs-core'
import type { NamedTensor } from '@tensorflow/tfjs-core/dist/tensor_types'
import type { OptimizerName } from '../../../shared/arch/specs'
import type { BatchSource } from '../../data/pipeline/batchSource'
import type { DataSplit } from '../../data/pipeline/dataset'
import type { LrScheduleConfig } from './lrSchedule'
import type { LossScalingOptions, LossScalingReport } from './lossScaler'

// What trainModel takes and gives back: its options, where a resumed run starts, its callbacks and reports.

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

/** The splits trainModel trains on and evaluates after each epoch. */
export interface TrainingData {
  train: BatchSource
  // trainEval: the training split without augmentation, evaluated each epoch (the gap dropout and augmentation close).
  trainEval?: BatchSource
  validation?: BatchSource | DataSplit
  test: BatchSource | DataSplit
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
  /** Seconds spent training batches in this call of trainModel so far (evaluations and pauses left out). */
  trainSeconds: number
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
  /**
   * Milliseconds on the run's clock, which every duration the trainer reports is measured on; it should
   * stand still while `untilResumed` waits, so that no duration holds a pause. Default: performance.now().
   */
  now?(): number
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
