import type { LrSchedule, OptimizerName, TrainingDefaults } from './types'

/** The training choices a run's request may leave to its architecture. */
export interface TrainingChoices {
  epochs?: number
  batchSize?: number
  learningRate?: number
  optimizer?: OptimizerName
  lrSchedule?: LrSchedule
}

export type WithTrainingDefaults<C> = C & Required<TrainingChoices>

/**
 * A request's training choices with the architecture's defaults (or its preset's) filled in where it left
 * them out; a schedule nobody chose is constant. The one place they are resolved: the supervisor stores
 * the resolved config, the training and LR finder jobs train with it, the CLI builds its request with it.
 */
export function withTrainingDefaults<C extends TrainingChoices>(choices: C, defaults: TrainingDefaults): WithTrainingDefaults<C> {
  return {
    ...choices,
    epochs: choices.epochs ?? defaults.epochs,
    batchSize: choices.batchSize ?? defaults.batchSize,
    learningRate: choices.learningRate ?? defaults.learningRate,
    optimizer: choices.optimizer ?? defaults.optimizer,
    lrSchedule: choices.lrSchedule ?? defaults.lrSchedule ?? 'constant',
  }
}
