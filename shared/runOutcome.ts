import type { RunResult, RunStatus, RunSummary, TrainConfig } from './api/schemas'
import { RUN_STATUS_INFO } from './api/schemas'
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
 * The one test of "it learned" (runs, lessons, Predict, the CLI): a test accuracy at least 10 points
 * and 3 standard errors (of a coin with the chance rate over the test images; 1,000 when unknown)
 * above chance. Anything less is chance level: the network learned nothing worth trusting.
 */
export function learnedAboveChance(accuracy: number, chance: number, testImages?: number): boolean {
  const error = Math.sqrt((chance * (1 - chance)) / (testImages || 1000))
  return accuracy >= chance + Math.max(0.1, 3 * error)
}

/** Whether a run's result is above chance level (the test above), and that chance level. */
export function resultLearned(result: Pick<RunResult, 'testAccuracy' | 'confusionMatrix'>, classes: number): { learned: boolean; chance: number } {
  const chance = chanceAccuracy(result, classes)
  const tested = result.confusionMatrix?.reduce((sum, row) => sum + row.reduce((a, b) => a + b, 0), 0)
  return { learned: learnedAboveChance(result.testAccuracy, chance, tested), chance }
}

/**
 * What a run's status reads as wherever it is shown: its stored status, except that a run which
 * completed at chance level reads `did-not-learn` (derived, so runs stored before this existed show it too).
 */
export type DisplayStatus = RunStatus | 'did-not-learn'

/** The word shown for each display status, and what it means (the tooltip). */
export const DISPLAY_STATUS_INFO: Record<DisplayStatus, { word: string; meaning: string }> = {
  ...(Object.fromEntries(Object.entries(RUN_STATUS_INFO).map(([status, info]) => [status, { word: status, meaning: info.meaning }])) as Record<RunStatus, { word: string; meaning: string }>),
  'did-not-learn': { word: 'did not learn', meaning: 'trained every epoch, but its test accuracy is at chance level: the saved model learned nothing' },
}

/** Whether a run with a result learned (resultLearned over its classes); false without a result. */
export function runLearned(run: Pick<RunSummary, 'result' | 'classNames'>): boolean {
  if (!run.result) return false
  return resultLearned(run.result, run.classNames.length || run.result.confusionMatrix?.length || 10).learned
}

/** The one place that decides a run's display status. */
export function displayStatus(run: Pick<RunSummary, 'status' | 'result' | 'classNames'>): DisplayStatus {
  if (run.status !== 'completed' || !run.result) return run.status
  return runLearned(run) ? 'completed' : 'did-not-learn'
}

/**
 * A run that completed at chance level learned nothing, whatever its status says: the warning to show
 * with it, naming the likely causes; undefined when it learned (resultLearned).
 */
export function didNotLearnWarning(config: Pick<TrainConfig, 'optimizer' | 'learningRate' | 'epochs' | 'limit'>, result: RunResult, classes: number): string | undefined {
  const { learned, chance } = resultLearned(result, classes)
  if (learned) return undefined
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
