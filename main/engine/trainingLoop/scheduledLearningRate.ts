import type * as tf from '@tensorflow/tfjs-core'
import type { OptimizerName } from '../../../shared/arch/specs'
import { learningRateAt, type LrScheduleConfig } from './lrSchedule'
import { setLearningRate } from './optimizers'
import type { RateAtFailure } from './nonFiniteLoss'

/**
 * The learning rate of one call of trainModel: the only place the training loop computes it, so the
 * optimizer, the batch and epoch reports and a non-finite loss's message all give the same number.
 */
export class ScheduledLearningRate {
  /** The rate of the latest step queued; before the first, the rate the run starts (or resumes) at. */
  current: number

  constructor(
    private readonly schedule: LrScheduleConfig,
    private readonly optimizer: OptimizerName,
    epochsDone: number,
  ) {
    this.current = learningRateAt(schedule, epochsDone)
  }

  /** The rate at `epochsDone` (fractional), set on the optimizer for its next step. */
  advanceTo(epochsDone: number, optimizer: tf.Optimizer): number {
    this.current = learningRateAt(this.schedule, epochsDone)
    setLearningRate(optimizer, this.current)
    return this.current
  }

  /** For a non-finite loss's message: the rate the user set beside the one scheduled (default: the current one). */
  atFailure(scheduled = this.current): RateAtFailure {
    return { learningRate: this.schedule.learningRate, scheduled, optimizer: this.optimizer }
  }
}
