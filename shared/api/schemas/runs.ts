/** A run as stored and shown: its summary, metrics, result and progress events. */
import { z } from 'zod'
import { RunDataSummary } from './data'
import { RunStatus } from './status'
import { BackendReport } from './system'
import { TrainConfig } from './trainConfig'
import { RunId } from './vocabulary'

/** Where a run trains: in a worker process beside the workbench, or on a worker of the Redis pool. */
export const RunPlace = z.enum(['local', 'pool'])
export type RunPlace = z.infer<typeof RunPlace>

export const MetricPoint = z.object({
  /** Samples seen since the run started: a common x axis for every batch size. */
  samples: z.number().int().nonnegative(),
  epoch: z.number().nonnegative(),
  loss: z.number(),
  accuracy: z.number().min(0).max(1),
  learningRate: z.number().optional(),
  /** Wall-clock seconds since the worker started training (absent in runs recorded before it existed). */
  t: z.number().nonnegative().optional(),
})
export type MetricPoint = z.infer<typeof MetricPoint>

export const EpochMetrics = z.object({
  epoch: z.number().int().min(1),
  trainLoss: z.number(),
  trainAccuracy: z.number().min(0).max(1),
  validationLoss: z.number().optional(),
  validationAccuracy: z.number().min(0).max(1).optional(),
  testLoss: z.number(),
  testAccuracy: z.number().min(0).max(1),
  /** On the training split in evaluation mode (no dropout, no augmentation), when `evaluateTrainSplit` is on. */
  trainEvalLoss: z.number().optional(),
  trainEvalAccuracy: z.number().min(0).max(1).optional(),
  learningRate: z.number().optional(),
  seconds: z.number().nonnegative(),
})
export type EpochMetrics = z.infer<typeof EpochMetrics>

export const RunResult = z.object({
  trainLoss: z.number(),
  trainAccuracy: z.number(),
  testLoss: z.number(),
  testAccuracy: z.number(),
  samplesPerSecond: z.number().nonnegative(),
  trainSeconds: z.number().nonnegative(),
  params: z.number().int().nonnegative(),
  /** On the test split: rows are true classes, columns predicted ones. */
  confusionMatrix: z.array(z.array(z.number().int().nonnegative())).optional(),
  perClassAccuracy: z.array(z.number().min(0).max(1)).optional(),
})
export type RunResult = z.infer<typeof RunResult>

export const RunName = z.string().trim().max(120, 'a run name is at most 120 characters')
export const RunTag = z
  .string()
  .trim()
  .min(1, 'a tag cannot be empty')
  .max(40, 'a tag is at most 40 characters')
  .regex(/^[^,\n\r\t]+$/, 'a tag cannot hold commas, tabs or line breaks')
export const MAX_RUN_TAGS = 20

export const RunSummary = z.object({
  runId: RunId,
  config: TrainConfig,
  status: RunStatus,
  createdAt: z.string(),
  backend: BackendReport.optional(),
  result: RunResult.optional(),
  error: z.string().optional(),
  /** What a user should know about an ended run that its status does not say (it did not learn, ...). */
  warnings: z.array(z.string()).optional(),
  classNames: z.array(z.string()),
  /** What the run's data pipeline found and used (sizes, mean/std, skipped files); set once its data is open. */
  data: z.lazy(() => RunDataSummary).optional(),
  /** The last epoch boundary saved to disk; a run with one can be resumed from it. */
  checkpointEpoch: z.number().int().min(1).optional(),
  /** The best validation accuracy of any epoch so far (absent without a validation split). */
  bestValidationAccuracy: z.number().min(0).max(1).optional(),
  /** A name the user gave the run (the Runs view); absent means it is shown by its id. */
  name: RunName.optional(),
  /** The user's labels for the run, for filtering and search. */
  tags: z.array(RunTag).max(MAX_RUN_TAGS).optional(),
  /**
   * The run's place in the colour palette (taken modulo its size), given when it is created so that
   * every view and every client (desktop, a browser on any port) draws it in the same colour; runs
   * created one after another (a sweep) get neighbouring, distinct colours.
   */
  colorIndex: z.number().int().min(0).optional(),
  /** Where it trains: absent for runs recorded before the pool existed (they trained locally). */
  place: RunPlace.optional(),
  /** The pool worker (host/id) that trains or last trained it. */
  worker: z.string().max(200).optional(),
})
export type RunSummary = z.infer<typeof RunSummary>

export const RunDetail = RunSummary.extend({
  points: z.array(MetricPoint),
  epochs: z.array(EpochMetrics),
})
export type RunDetail = z.infer<typeof RunDetail>

export const ProgressEvent = z.object({
  runId: RunId,
  epoch: z.number().int().min(1),
  epochs: z.number().int().min(1),
  samplesSeen: z.number().int().nonnegative(),
  totalSamples: z.number().int().nonnegative(),
  samplesPerSecond: z.number().nonnegative(),
  etaSeconds: z.number().nonnegative(),
  /** Only the points added since the previous event. */
  points: z.array(MetricPoint),
})
export type ProgressEvent = z.infer<typeof ProgressEvent>

export const LrFinderResult = z.object({
  points: z.array(z.object({ learningRate: z.number(), loss: z.number() })),
  /** Where the smoothed loss falls fastest: a good starting learning rate. */
  suggestedLearningRate: z.number().optional(),
})
export type LrFinderResult = z.infer<typeof LrFinderResult>
