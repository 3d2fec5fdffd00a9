import { z } from 'zod'
import {
  BackendChoice,
  ExportFormat,
  ArchitectureSummary,
  MAX_IMAGE_BASE64_LENGTH,
  Prediction,
  ProgressEvent,
  RunDetail,
  RunId,
  RunName,
  RunStatus,
  RunTag,
  MAX_RUN_TAGS,
  RunSummary,
  SystemInfo,
  SystemReport,
  LrFinderResult,
  TrainRequest,
  EpochMetrics,
  AugmentConfig,
  BuiltinDatasetId,
  DatasetDescription,
  DatasetId,
  DataSample,
  DownloadProgress,
  InputSize,
  PoolWorkerInfo,
  RunPlace,
} from './schemas'

/** Which data set to read and how: folders decode to `size` (default: their most common size) and `channels`. */
const DataRequest = z
  .object({
    dataset: DatasetId,
    size: InputSize.optional(),
    channels: z.union([z.literal(1), z.literal(3)]).optional(),
    validationFraction: z.number().min(0).max(0.5).default(0),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
    augment: AugmentConfig.optional(),
  })
  .strict()
import { SweepRequest } from './sweep'
import { InspectRequest, Inspection } from './inspect'
import { LessonAttempt, LessonId } from './lessons'

/**
 * The whole surface between renderer and main: every request/response pair and every pushed event.
 * Both transports (Electron IPC and the web bridge) are generic over this table, so a method added
 * here is available everywhere and validated on both sides.
 */
export const apiMethods = {
  'system.info': { request: z.object({}).strict(), response: SystemInfo },
  'system.doctor': { request: z.object({}).strict(), response: SystemReport },
  'training.findLearningRate': {
    request: z
      .object({
        config: TrainRequest,
        minLearningRate: z.number().gt(0).default(1e-5),
        maxLearningRate: z.number().gt(0).max(1e6).default(10),
        steps: z.number().int().min(5).max(1000).default(100),
        /** Echoed in its `lrFinder.progress` events, so that a window follows its own search. */
        findId: z.string().min(1).max(64).optional(),
      })
      .strict(),
    response: LrFinderResult,
  },
  'arch.list': { request: z.object({}).strict(), response: z.array(ArchitectureSummary) },
  /** `place: 'pool'` sends the run to the Redis pool the workbench was started with (`--queue`). */
  'training.start': { request: TrainRequest.extend({ place: RunPlace.optional() }), response: z.object({ runId: RunId }) },
  /** Queues one run per combination of the listed learning rates and batch sizes. */
  'training.sweep': { request: SweepRequest, response: z.object({ runIds: z.array(RunId) }) },
  /** Ends after the current batch; the model is evaluated and saved (status `stopped`). */
  'training.stop': { request: z.object({ runId: RunId }).strict(), response: z.object({ stopped: z.boolean() }) },
  /** Kills the run mid-batch; its unfinished epoch is discarded (status `cancelled`, resumable from its checkpoint). */
  'training.cancel': { request: z.object({ runId: RunId }).strict(), response: z.object({ cancelled: z.boolean() }) },
  'training.pause': { request: z.object({ runId: RunId }).strict(), response: z.object({ paused: z.boolean() }) },
  /** Wakes a paused run, or continues an interrupted/stopped/cancelled/failed one from its last checkpoint. */
  /** `backend`: continue on another rung (a run whose GPU was lost resumes on the CPU). */
  'training.resume': { request: z.object({ runId: RunId, backend: BackendChoice.optional() }).strict(), response: RunSummary },
  /** The pool this workbench sends runs to (none without `--queue`) and the workers that announced themselves. */
  'pool.status': {
    request: z.object({}).strict(),
    response: z.object({ queue: z.string().optional(), connected: z.boolean(), error: z.string().optional(), workers: z.array(PoolWorkerInfo) }),
  },
  'runs.list': { request: z.object({}).strict(), response: z.array(RunSummary) },
  'runs.get': { request: z.object({ runId: RunId }).strict(), response: RunDetail },
  /** Renames and/or retags a run (an empty name clears it); fields left out are kept. */
  'runs.update': {
    request: z.object({ runId: RunId, name: RunName.optional(), tags: z.array(RunTag).max(MAX_RUN_TAGS).optional() }).strict(),
    response: RunSummary,
  },
  /** Deletes a run and its folder (weights, metrics); a queued, running or paused run is refused with `conflict`. */
  'runs.delete': { request: z.object({ runId: RunId }).strict(), response: z.object({ deleted: z.literal(true) }) },
  /**
   * Writes the trained model in a format (TensorFlow.js layers by default, ONNX, PyTorch), with its
   * preprocessing and a reference image, to a chosen folder. `notes`: what a user of the files must know
   * (a layer without a standard class, and what was shipped to load it). No format: tfjs.
   */
  'runs.export': {
    request: z.object({ runId: RunId, folder: z.string().min(1).max(4096), format: ExportFormat.optional() }).strict(),
    response: z.object({ files: z.array(z.string()), notes: z.array(z.string()) }),
  },
  'runs.import': { request: z.object({ folder: z.string().min(1).max(4096) }).strict(), response: RunSummary },
  'predict.image': {
    request: z
      .object({
        runId: RunId,
        fileName: z.string().max(1024),
        imageBase64: z.string().max(MAX_IMAGE_BASE64_LENGTH, 'image is larger than 12 MiB'),
        /** How many of the most likely classes come back (the Predict view shows 5, the CLI 3). */
        topK: z.number().int().min(1).max(20).default(3),
      })
      .strict(),
    response: Prediction,
  },
  /** Feature maps, first-layer filters, activation histograms, occlusion map and receptive fields for one image. */
  'inspect.image': { request: InspectRequest, response: Inspection },
  /** The built-in data sets and whether each is ready offline (CIFAR-10 is downloaded on first use). */
  'data.list': {
    request: z.object({}).strict(),
    response: z.array(z.object({ id: BuiltinDatasetId, name: z.string(), available: z.boolean(), note: z.string() })),
  },
  /** Class names and counts, split sizes, image shape, mean/std and every skipped file of a data set. */
  'data.describe': { request: DataRequest, response: DatasetDescription },
  /** A few training images spread over the classes, as stored and after augmentation, for display. */
  'data.samples': {
    request: DataRequest.extend({ count: z.number().int().min(1).max(64).default(24) }).strict(),
    response: z.object({ imageShape: z.tuple([z.number().int(), z.number().int(), z.number().int()]), samples: z.array(DataSample) }),
  },
  /** Cancels the scan of a folder data set in progress (the Data view's Cancel); its describe answers `bad-input`, saying so. */
  'data.cancel': { request: z.object({ dataset: DatasetId }).strict(), response: z.object({ cancelled: z.boolean() }) },
  /** Downloads (resumably, verified) a data set that is not shipped; progress arrives as `download.progress`. */
  'data.download': { request: z.object({ dataset: z.enum(['cifar10', 'fashion-mnist']) }).strict(), response: z.object({ path: z.string() }) },
  /**
   * Desktop only: opens a folder dialog; the chosen folder (null when cancelled) is the only kind of path
   * outside the data folder that later requests may name. In web mode it answers `unavailable`.
   */
  'files.chooseFolder': { request: z.object({}).strict(), response: z.object({ path: z.string().nullable() }) },
  /** Every lesson attempt stored, latest first, with its runs as they stand and its verdict. */
  'lessons.attempts': { request: z.object({}).strict(), response: z.array(LessonAttempt) },
  /** Queues a lesson's runs (tagged `lesson:<id>`, the ensemble's with seeds seed, seed+1, seed+2) and records the attempt. */
  'lessons.start': {
    request: z.object({ lessonId: LessonId, seed: z.number().int().min(0).max(2 ** 31 - 3).optional() }).strict(),
    response: LessonAttempt,
  },
} as const

export const apiEvents = {
  'run.status': z.object({ runId: RunId, status: RunStatus, run: RunSummary }),
  'run.progress': ProgressEvent,
  'run.epoch': EpochMetrics.extend({ runId: RunId }),
  /** One batch of a learning-rate range test: the rate tried and the smoothed loss (finite ones only). */
  'lrFinder.progress': z.object({
    findId: z.string().optional(),
    step: z.number().int().min(1),
    steps: z.number().int().min(1),
    learningRate: z.number(),
    loss: z.number(),
  }),
  'download.progress': DownloadProgress,
  /** A lesson attempt whose runs changed (an epoch ended, a status changed, the ensemble was evaluated). */
  'lesson.attempt': LessonAttempt,
  /** A folder data set being scanned (describe, samples): entries looked at so far and image candidates found. */
  'data.scan': z.object({ dataset: z.string(), entries: z.number().int().nonnegative(), files: z.number().int().nonnegative() }),
} as const

export type MethodName = keyof typeof apiMethods
export type EventName = keyof typeof apiEvents
export type RequestOf<M extends MethodName> = z.input<(typeof apiMethods)[M]['request']>
export type ParsedRequestOf<M extends MethodName> = z.output<(typeof apiMethods)[M]['request']>
export type ResponseOf<M extends MethodName> = z.output<(typeof apiMethods)[M]['response']>
export type EventOf<E extends EventName> = z.output<(typeof apiEvents)[E]>

export const METHOD_NAMES = Object.keys(apiMethods) as MethodName[]
export const EVENT_NAMES = Object.keys(apiEvents) as EventName[]

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(apiMethods, name)
}
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(apiEvents, name)
}

/** Errors cross process boundaries as plain data, never as thrown objects. */
export const ApiError = z.object({
  code: z.enum(['invalid-request', 'not-found', 'bad-input', 'conflict', 'unauthorized', 'internal', 'unavailable']),
  message: z.string(),
})
export type ApiError = z.infer<typeof ApiError>
export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiError }

/** What the renderer holds, whatever the transport: one typed call and one typed subscription. */
export interface WorkbenchApi {
  call<M extends MethodName>(method: M, request: RequestOf<M>): Promise<ResponseOf<M>>
  on<E extends EventName>(event: E, handler: (payload: EventOf<E>) => void): () => void
}

/**
 * An error that carries its API code: thrown on the renderer side when a call comes back with `ok: false`,
 * and the base of the errors main throws on purpose (RunNotFoundError, BadImageError...), which the
 * dispatcher answers with their own code.
 */
export class WorkbenchError extends Error {
  constructor(
    readonly code: ApiError['code'],
    message: string,
  ) {
    super(message)
    this.name = 'WorkbenchError'
  }
}

/** A zod error as one readable line: `epochs: Too big: expected number to be <=1000`. */
export function describeValidationError(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ')
}
