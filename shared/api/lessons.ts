/**
 * The lesson schemas that cross the API (the contract's `lessons.*` methods and `lesson.attempt` event):
 * here, beside the other schemas, so that shared/api never imports shared/lessons. shared/lessons/lessonTypes.ts
 * re-exports them with the catalogue's types.
 */
import { z } from 'zod'
import { RunId, RunStatus, TrainConfig } from './schemas'

/** Ids and order fixed by the notes' order (issue #19). */
export const LESSON_IDS = [
  'sigmoid-vs-relu',
  'avg-vs-max-pooling',
  'batch-norm',
  'resnet-shortcuts',
  'dropout',
  'augmentation',
  'shuffle',
  'normalization',
  'batch-size',
  'one-by-one-conv',
  'ensemble',
] as const
export const LessonId = z.enum(LESSON_IDS)
export type LessonId = z.infer<typeof LessonId>

/** One epoch of a lesson run; `trainAccuracy`/`trainLoss` are measured on the training images in evaluation mode. */
export const LessonEpoch = z.object({
  epoch: z.number().int().min(1),
  trainLoss: z.number(),
  trainAccuracy: z.number().min(0).max(1),
  testLoss: z.number(),
  testAccuracy: z.number().min(0).max(1),
  seconds: z.number().nonnegative().optional(),
})
export type LessonEpoch = z.infer<typeof LessonEpoch>

/** A lesson run as it stands (running, ended): what the verdict and the CLI's JSON read. */
export const LessonRunOutcome = z.object({
  label: z.string(),
  runId: RunId,
  config: TrainConfig,
  status: RunStatus,
  testAccuracy: z.number().min(0).max(1).optional(),
  trainAccuracy: z.number().min(0).max(1).optional(),
  epochs: z.array(LessonEpoch),
  /** Wall-clock seconds the run trained (pauses excluded). */
  seconds: z.number().nonnegative().optional(),
  /**
   * Where the epochs' train figures come from: `evaluation` (the training images in evaluation mode, no
   * dropout or augmentation) or `training` (the running average while training: a run recorded before the
   * trainer measured the former). The verdict says so when a gap rests on training-mode figures.
   */
  trainMeasured: z.enum(['evaluation', 'training']).optional(),
  /** Images in the run's training and test splits, its classes and image channels, once its data was read. */
  trainImages: z.number().int().nonnegative().optional(),
  testImages: z.number().int().nonnegative().optional(),
  classes: z.number().int().min(1).optional(),
  channels: z.number().int().min(1).optional(),
  /** Why the run ended without finishing, as its status says it (failed, interrupted). */
  error: z.string().optional(),
})
export type LessonRunOutcome = z.infer<typeof LessonRunOutcome>

export const LessonVerdict = z.object({
  /** The claim showed in these runs, by a margin beyond noise. */
  holds: z.boolean(),
  /** Why not, when it does not: a run is still training, failed/stopped/changed, or the difference is within noise or reversed. */
  reason: z.enum(['holds', 'pending', 'incomplete', 'changed', 'noise', 'opposite']),
  /** In numbers, from the runs' metrics (`ReLU: 81% after epoch 1, sigmoid 34% ...`). */
  text: z.string(),
})
export type LessonVerdict = z.infer<typeof LessonVerdict>

/** One time a user ran a lesson: its runs, the ensemble's accuracy (ensemble lesson) and the verdict. */
export const LessonAttempt = z.object({
  lessonId: LessonId,
  attemptId: z.string().regex(/^[a-z0-9-]{1,64}$/),
  seed: z.number().int().min(0),
  startedAt: z.string(),
  runs: z.array(LessonRunOutcome),
  /**
   * The ensemble lesson: the test accuracy of the members' averaged probabilities, and each member's own
   * accuracy as the same evaluation measured it (it matches the runs' own test accuracy: same images, same preprocessing).
   */
  ensemble: z.object({ testAccuracy: z.number().min(0).max(1), memberTestAccuracies: z.array(z.number().min(0).max(1)).optional() }).optional(),
  /** Why the ensemble could not be evaluated (a member's model is missing, the worker failed); tried again when the workbench reopens. */
  ensembleError: z.string().optional(),
  verdict: LessonVerdict,
})
export type LessonAttempt = z.infer<typeof LessonAttempt>
