import { z } from 'zod'
import { BackendChoice, BackendReport, EpochMetrics, LrFinderResult, MetricPoint, RunDataSummary, RunId, RunResult, SkippedFile, TrainConfig } from '../../shared/api/schemas'

/** Messages between the training supervisor and a training worker process; validated on receipt. */
export const ToWorker = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('start'),
    runId: RunId,
    config: TrainConfig,
    runDir: z.string(),
    resume: z.boolean().default(false),
    /** Cores this run's native kernels may use (the supervisor shares them between concurrent runs); absent: all. */
    kernelThreads: z.number().int().min(1).optional(),
  }),
  z.object({ type: z.literal('stop') }),
  z.object({ type: z.literal('pause') }),
  z.object({ type: z.literal('resume') }),
  /** Walk the backend ladder and report, nothing else (the system doctor). */
  z.object({ type: z.literal('probe'), backend: BackendChoice }),
  /** Sweep the learning rate up exponentially over a few batches and report the loss at each. */
  z.object({ type: z.literal('lr-find'), config: TrainConfig, dataDir: z.string().optional(), minLearningRate: z.number().gt(0), maxLearningRate: z.number().gt(0), steps: z.number().int().min(5).max(1000) }),
  /** The test accuracy of the members' averaged probabilities (the ensemble lesson). */
  z.object({ type: z.literal('ensemble'), members: z.array(z.object({ runDir: z.string(), config: TrainConfig })).min(1).max(16), dataDir: z.string() }),
])
export type ToWorker = z.infer<typeof ToWorker>

export const FromWorker = z.discriminatedUnion('type', [
  z.object({ type: z.literal('backend'), report: BackendReport, params: z.number().int() }),
  z.object({
    type: z.literal('progress'),
    epoch: z.number().int(),
    samplesSeen: z.number().int(),
    totalSamples: z.number().int(),
    samplesPerSecond: z.number(),
    etaSeconds: z.number(),
    points: z.array(MetricPoint),
  }),
  z.object({ type: z.literal('epoch'), metrics: EpochMetrics }),
  z.object({ type: z.literal('checkpoint'), epoch: z.number().int().min(1) }),
  /** The run's data as opened: class names (a folder's come from its subfolders) and what the pipeline found. */
  z.object({ type: z.literal('dataset'), classNames: z.array(z.string()), data: RunDataSummary }),
  /** A listed file failed to decode during training; it is left out from now on. */
  z.object({ type: z.literal('unreadable'), file: SkippedFile }),
  /** `notes`: what the run's warnings should say beside the result (mixed precision's skipped steps). */
  z.object({ type: z.literal('completed'), result: RunResult, stopped: z.boolean(), notes: z.array(z.string()).optional() }),
  z.object({ type: z.literal('failed'), error: z.string() }),
  z.object({ type: z.literal('probe'), report: BackendReport }),
  z.object({ type: z.literal('lr-find'), result: LrFinderResult }),
  /** One batch of the range test as it goes (step counts from 1). */
  z.object({ type: z.literal('lr-find-point'), step: z.number().int().min(1), steps: z.number().int().min(1), learningRate: z.number(), loss: z.number() }),
  z.object({ type: z.literal('ensemble'), testAccuracy: z.number().min(0).max(1), memberAccuracies: z.array(z.number().min(0).max(1)), testImages: z.number().int().min(1) }),
])
export type FromWorker = z.infer<typeof FromWorker>

/**
 * What a pool worker (main/pool) adds to a training worker's messages on a run's stream: which worker
 * took the run and the checkpoint it continues from (the history after that point is dropped, so a run
 * taken over after a crash is counted once), and a worker leaving the run to the queue (Ctrl-C).
 */
export const FromPool = z.discriminatedUnion('type', [
  z.object({ type: z.literal('placed'), worker: z.string().max(200), epoch: z.number().int().nonnegative(), samplesSeen: z.number().int().nonnegative() }),
  z.object({ type: z.literal('handed-back'), worker: z.string().max(200), reason: z.string() }),
])
export type FromPool = z.infer<typeof FromPool>
