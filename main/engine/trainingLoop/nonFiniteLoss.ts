import type { OptimizerName } from '../../../shared/arch/specs'
import { learningRateToTry } from '../../../shared/arch/learningRates'

/** Which loss went non-finite: a training batch's, or an evaluation's (the weights diverged during the epoch). */
export type LossPhase = 'training' | 'validation' | 'test'

/** The rates a non-finite loss is reported with. `learningRate`: the rate the user set (the one to change); `scheduled`: the schedule's rate at that moment. */
export interface RateAtFailure {
  learningRate: number
  scheduled: number
  optimizer: OptimizerName
}

/**
 * A loss of NaN or ±Infinity, in training or evaluation: the run cannot go on (and Infinity cannot even
 * be stored), so it fails with the rate to try instead.
 */
export class NonFiniteLossError extends Error {
  constructor(phase: LossPhase, loss: number, where: string, rate: RateAtFailure) {
    const scheduled = Math.abs(rate.scheduled - rate.learningRate) > 1e-9 * rate.learningRate ? ` (${Number(rate.scheduled.toPrecision(3))} at that point of the schedule)` : ''
    super(
      `the ${phase} loss became ${loss} ${where} at learning rate ${rate.learningRate}${scheduled}; ` +
        `the rate is probably too high for ${rate.optimizer} — try ${learningRateToTry(rate.optimizer, rate.learningRate)}`,
    )
    this.name = 'NonFiniteLossError'
  }
}

/** Throws NonFiniteLossError when an evaluation's loss is NaN or infinite. */
export function assertFiniteEvaluation(phase: Exclude<LossPhase, 'training'>, loss: number, where: string, rate: RateAtFailure): void {
  if (!Number.isFinite(loss)) throw new NonFiniteLossError(phase, loss, where, rate)
}
