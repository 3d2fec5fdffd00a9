import type { OptimizerName } from './specs'

/**
 * The learning rates each optimizer is usually trained with, from the course notes and the presets:
 * plain SGD takes large steps (d2l's sigmoid LeNet uses 0.9), momentum multiplies the step by ~10, and
 * the adaptive methods normalise the gradient, so they want rates around 1e-3. `typical` is what to try
 * when a rate far outside the range made a run diverge or stall.
 */
export const USUAL_LEARNING_RATES: Record<OptimizerName, { low: number; high: number; typical: number }> = {
  sgd: { low: 1e-3, high: 2, typical: 0.1 },
  momentum: { low: 1e-4, high: 0.5, typical: 0.01 },
  nesterov: { low: 1e-4, high: 0.5, typical: 0.01 },
  adam: { low: 1e-5, high: 1e-2, typical: 1e-3 },
  rmsprop: { low: 1e-5, high: 1e-2, typical: 1e-3 },
}

/** How far outside its usual range a rate is: `high` or `low`, or undefined inside it. */
export function learningRateOutOfRange(optimizer: OptimizerName, learningRate: number): 'high' | 'low' | undefined {
  const usual = USUAL_LEARNING_RATES[optimizer]
  if (learningRate > usual.high) return 'high'
  if (learningRate < usual.low) return 'low'
  return undefined
}

/**
 * The rate to suggest after a run at `learningRate` diverged: the optimizer's typical rate when the
 * given one is above the usual range, else a tenth of it.
 */
export function learningRateToTry(optimizer: OptimizerName, learningRate: number): number {
  if (learningRateOutOfRange(optimizer, learningRate) === 'high') return USUAL_LEARNING_RATES[optimizer].typical
  return Number((learningRate / 10).toPrecision(3))
}

/** A hint for the Train form (and the did-not-learn warning) when a rate is outside the usual range. */
export function learningRateHint(optimizer: OptimizerName, learningRate: number): string | undefined {
  const side = learningRateOutOfRange(optimizer, learningRate)
  if (!side) return undefined
  const usual = USUAL_LEARNING_RATES[optimizer]
  const range = `${usual.low}–${usual.high}`
  return side === 'high'
    ? `${learningRate} is far above the usual range for ${optimizer} (${range}): the loss will likely blow up; try ${usual.typical}`
    : `${learningRate} is far below the usual range for ${optimizer} (${range}): the network will barely move; try ${usual.typical}`
}
