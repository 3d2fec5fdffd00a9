import { join } from 'node:path'
import type * as tfl from '@tensorflow/tfjs-layers'
import type { BatchSource } from '../data/pipeline/batchSource'
import type { DataSplit } from '../data/pipeline/dataset'
import { saveModel } from '../engine/model/modelFiles'
import { writeReferenceSample } from '../engine/model/referenceSample'
import { evaluate, perClassAccuracy } from '../engine/trainingLoop/evaluation'
import { assertFiniteEvaluation } from '../engine/trainingLoop/nonFiniteLoss'
import { ScheduledLearningRate } from '../engine/trainingLoop/scheduledLearningRate'
import type { TrainOptions, TrainStart } from '../engine/trainingLoop/trainingContract'
import { lossScalingNote } from '../engine/trainingLoop/lossScaler'
import type { JobTrainingOutcome } from './jobTraining'
import type { FromWorker } from './workerProtocol'

/** The first image of a split exactly as the model receives it (decoded, converted, normalized). */
async function firstImage(source: BatchSource): Promise<DataSplit> {
  for await (const batch of source.batches(0, 1)) return { count: 1, images: batch.images, labels: Uint8Array.from(batch.labels) }
  return { count: 0, images: new Float32Array(0), labels: new Uint8Array(0) }
}

export interface TrainedJob {
  runDir: string
  model: tfl.LayersModel
  test: BatchSource
  options: TrainOptions
  start: TrainStart
  /** The whole run's training seconds before this session (resumed runs). */
  trainSecondsBefore: number
  params: number
  trained: JobTrainingOutcome
}

/** Saves the trained model with its reference sample, evaluates it on the test split and sends the run's result. */
export async function saveAndEvaluate(job: TrainedJob, send: (message: FromWorker) => void): Promise<void> {
  const { model, options, trained: { outcome, notes } } = job
  await saveModel(model, join(job.runDir, 'model'))
  await writeReferenceSample(job.runDir, model, await firstImage(job.test), options.imageShape)
  // The final evaluation also counts what each class was taken for (confusion matrix, per-class accuracy).
  const test = await evaluate(model, job.test, options, 500, true)
  // A run stopped mid-epoch is evaluated here first: its weights may have diverged since the last epoch.
  const rate = new ScheduledLearningRate(options.schedule, options.optimizer, job.start.epochsDone + outcome.epochs.length)
  assertFiniteEvaluation('test', test.loss, 'in the final evaluation', rate.atFailure())
  const confusionMatrix = test.confusionMatrix ?? []
  send({
    type: 'completed',
    stopped: outcome.stopped,
    notes: [...notes, ...(outcome.lossScaling ? [lossScalingNote(outcome.lossScaling)] : [])],
    result: {
      trainLoss: outcome.trainLoss,
      trainAccuracy: outcome.trainAccuracy,
      testLoss: test.loss,
      testAccuracy: test.accuracy,
      samplesPerSecond: outcome.trainSeconds > 0 ? outcome.samplesTrained / outcome.trainSeconds : 0,
      // The whole run's, across resumes; the throughput above is this session's own.
      trainSeconds: job.trainSecondsBefore + outcome.trainSeconds,
      params: job.params,
      confusionMatrix,
      perClassAccuracy: perClassAccuracy(confusionMatrix),
    },
  })
}
