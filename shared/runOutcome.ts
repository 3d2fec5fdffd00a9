import type { RunResult, TrainConfig } from './api/schemas'
import { learningRateHint } from './arch/learningRates'

/**
 * The accuracy a network reaches without learning anything: always answering the test split's most
 * frequent class (1/classes on a balanced split). Read from the confusion matrix's row sums.
 */
export function chanceAccuracy(result: Pick<RunResult, 'confusionMatrix'>, classes: number): number {
  const rows = result.confusionMatrix?.map((row) => row.reduce((a, b) => a + b, 0))
  const total = rows?.reduce((a, b) => a + b, 0)
  if (!rows || !total) return 1 / Math.max(1, classes)
  return Math.max(...rows) / total
}

/**
 * A run that completed at chance level learned nothing, whatever its status says: the warning to show
 * with it, naming the likely causes; undefined when the test accuracy is clearly above chance. "Clearly"
 * is three standard errors of a coin with the chance rate over the test images, and at least 2 points.
 */
export function didNotLearnWarning(config: Pick<TrainConfig, 'optimizer' | 'learningRate' | 'epochs' | 'limit'>, result: RunResult, classes: number): string | undefined {
  const chance = chanceAccuracy(result, classes)
  const tested = result.confusionMatrix?.reduce((sum, row) => sum + row.reduce((a, b) => a + b, 0), 0) || 1000
  const margin = Math.max(0.02, 3 * Math.sqrt((chance * (1 - chance)) / tested))
  if (result.testAccuracy > chance + margin) return undefined
  const causes: string[] = []
  const rateHint = config.optimizer ? learningRateHint(config.optimizer, config.learningRate) : undefined
  if (rateHint) causes.push(`the learning rate: ${rateHint}; the LR finder (Find a learning rate, in the Train view) suggests one`)
  else causes.push(`the learning rate ${config.learningRate} may be too high (the loss jumps) or too low (it barely moves): try the LR finder (Find a learning rate, in the Train view)`)
  if (!Number.isFinite(result.trainLoss) || result.trainLoss > 10 * Math.log(Math.max(2, classes))) {
    causes.push(`a train loss of ${result.trainLoss.toPrecision(3)} (chance is ${Math.log(Math.max(2, classes)).toFixed(2)}): the weights were pushed far out, saturating the activations`)
  }
  causes.push(`too little training (${config.epochs} epoch${config.epochs === 1 ? '' : 's'}${config.limit ? ` on ${config.limit} images` : ''}): some networks, sigmoid ones especially, stay at chance for a while before they start`)
  return `did not learn: test accuracy ${(result.testAccuracy * 100).toFixed(1)}% is at chance level (${(chance * 100).toFixed(1)}%). Likely causes: ${causes.join('; ')}.`
}
