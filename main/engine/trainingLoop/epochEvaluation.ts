import type * as tfl from '@tensorflow/tfjs-layers'
import { evaluate, type Evaluation } from './evaluation'
import { assertFiniteEvaluation, type RateAtFailure } from './nonFiniteLoss'
import type { EpochReport, TrainingData, TrainOptions, TrainStart } from './trainingContract'
import type { TrainingTally } from './epochBatches'

export interface EpochEvaluations {
  validation?: Evaluation
  test: Evaluation
  trainEval?: Evaluation
}

/** The held-out splits (and the training split in evaluation mode, when given) after an epoch; a non-finite loss fails the run. */
export async function evaluateEpoch(model: tfl.LayersModel, data: TrainingData, options: TrainOptions, epoch: number, rate: RateAtFailure): Promise<EpochEvaluations> {
  const validation = data.validation?.count ? await evaluate(model, data.validation, options) : undefined
  const test = await evaluate(model, data.test, options)
  const trainEval = data.trainEval ? await evaluate(model, data.trainEval, options) : undefined
  // A batch's loss can stay finite while the weights it left behind make the held-out loss overflow.
  if (validation) assertFiniteEvaluation('validation', validation.loss, `after epoch ${epoch}`, rate)
  assertFiniteEvaluation('test', test.loss, `after epoch ${epoch}`, rate)
  return { validation, test, trainEval }
}

/** Early stopping's memory: the best held-out loss (validation's, else test's) and the epochs since it improved. */
export class EarlyStopping {
  bestValidationLoss: number | undefined
  epochsWithoutImprovement: number

  constructor(start: TrainStart) {
    this.bestValidationLoss = start.bestValidationLoss
    this.epochsWithoutImprovement = start.epochsWithoutImprovement ?? 0
  }

  record(evaluations: EpochEvaluations): void {
    const watched = evaluations.validation?.loss ?? evaluations.test.loss
    if (this.bestValidationLoss === undefined || watched < this.bestValidationLoss) {
      this.bestValidationLoss = watched
      this.epochsWithoutImprovement = 0
    } else {
      this.epochsWithoutImprovement++
    }
  }

  patienceRunOut(patience: number | undefined): boolean {
    return patience !== undefined && this.epochsWithoutImprovement >= patience
  }
}

export function epochReport(epoch: number, tally: TrainingTally, evaluations: EpochEvaluations, learningRate: number, seconds: number): EpochReport {
  const { validation, test, trainEval } = evaluations
  return {
    epoch,
    trainLoss: tally.trainLoss,
    trainAccuracy: tally.trainAccuracy,
    validationLoss: validation?.loss,
    validationAccuracy: validation?.accuracy,
    testLoss: test.loss,
    testAccuracy: test.accuracy,
    ...(trainEval ? { trainEvalLoss: trainEval.loss, trainEvalAccuracy: trainEval.accuracy } : {}),
    learningRate,
    seconds,
  }
}
