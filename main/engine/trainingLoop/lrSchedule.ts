import type { TrainConfig } from '../../../shared/api/schemas'

import type { LrSchedule } from '../../../shared/arch/specs'

/** The schedule with the architecture's default already filled in. */
export type LrScheduleConfig = Pick<TrainConfig, 'learningRate' | 'lrStepEpochs' | 'lrStepGamma' | 'warmupEpochs' | 'epochs'> & { lrSchedule: LrSchedule }

/**
 * The learning rate at a point of training, measured in (fractional) epochs completed. A pure function of
 * the position, so a resumed run continues exactly where its checkpoint left off.
 */
export function learningRateAt(config: LrScheduleConfig, epochsDone: number): number {
  const base = config.learningRate
  if (config.warmupEpochs > 0 && epochsDone < config.warmupEpochs) {
    // Never exactly zero: the first batch must move the weights.
    return (base * Math.max(epochsDone, config.warmupEpochs / 100)) / config.warmupEpochs
  }
  switch (config.lrSchedule) {
    case 'constant':
      return base
    case 'step':
      return base * config.lrStepGamma ** Math.floor(epochsDone / config.lrStepEpochs)
    case 'cosine': {
      const span = Math.max(config.epochs - config.warmupEpochs, 1e-9)
      const progress = Math.min(1, Math.max(0, (epochsDone - config.warmupEpochs) / span))
      return 0.5 * base * (1 + Math.cos(Math.PI * progress))
    }
  }
}
