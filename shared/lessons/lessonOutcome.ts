import type { EpochMetrics, RunDetail } from '../api/schemas'
import type { LessonEpoch, LessonRunOutcome } from './lessonTypes'

/** An epoch as stored, with the evaluation-mode train figures the trainer measures for lessons (`evaluateTrainSplit`). */
type StoredEpoch = EpochMetrics & { trainEvalLoss?: number; trainEvalAccuracy?: number }

/**
 * A lesson run as it stands, from its stored summary and epochs. `trainAccuracy`/`trainLoss` are the
 * evaluation-mode figures where the trainer measured them; otherwise the training-mode running average,
 * and `trainMeasured: 'training'` says so (dropout and augmentation lower that one, so a gap read from it
 * is smaller than the real one).
 */
export function lessonRunOutcome(label: string, run: Pick<RunDetail, 'runId' | 'config' | 'status' | 'result' | 'error' | 'data' | 'classNames'> & { epochs: StoredEpoch[] }): LessonRunOutcome {
  const evaluated = run.epochs.length > 0 && run.epochs.every((epoch) => epoch.trainEvalAccuracy !== undefined && epoch.trainEvalLoss !== undefined)
  const epochs: LessonEpoch[] = run.epochs.map((epoch) => ({
    epoch: epoch.epoch,
    trainLoss: evaluated ? epoch.trainEvalLoss! : epoch.trainLoss,
    trainAccuracy: evaluated ? epoch.trainEvalAccuracy! : epoch.trainAccuracy,
    testLoss: epoch.testLoss,
    testAccuracy: epoch.testAccuracy,
    seconds: epoch.seconds,
  }))
  const last = epochs.at(-1)
  const seconds = run.result?.trainSeconds ?? (epochs.length ? epochs.reduce((sum, epoch) => sum + (epoch.seconds ?? 0), 0) : undefined)
  return {
    label,
    runId: run.runId,
    config: run.config,
    status: run.status,
    testAccuracy: run.result?.testAccuracy ?? last?.testAccuracy,
    trainAccuracy: last?.trainAccuracy,
    epochs,
    ...(seconds !== undefined ? { seconds } : {}),
    ...(epochs.length ? { trainMeasured: evaluated ? ('evaluation' as const) : ('training' as const) } : {}),
    ...(run.data ? { trainImages: run.data.train, testImages: run.data.test, channels: run.data.imageShape[2] } : {}),
    ...(run.classNames.length ? { classes: run.classNames.length } : {}),
    ...(run.error ? { error: run.error } : {}),
  }
}
