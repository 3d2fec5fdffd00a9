import { z } from 'zod'
import { ACTIVATIONS, ARCHITECTURE_IDS, OPTIMIZER_NAMES, POOL_MODES, PRESET_IDS } from '../arch/specs'

/** Rungs of the backend ladder, best first; `auto` takes the first that loads and passes its self-test. */
export const BACKEND_NAMES = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const
export const BackendName = z.enum(BACKEND_NAMES)
export type BackendName = z.infer<typeof BackendName>
export const BackendChoice = z.enum(['auto', ...BACKEND_NAMES])
export type BackendChoice = z.infer<typeof BackendChoice>

export const LR_SCHEDULES = ['constant', 'step', 'cosine'] as const

export const DATASET_IDS = ['mnist'] as const
export const DatasetId = z.enum(DATASET_IDS)
export type DatasetId = z.infer<typeof DatasetId>

export const ArchitectureId = z.enum(ARCHITECTURE_IDS)

/** Architecture knobs (shared/arch/types.ts ArchKnobs); any left out take the architecture's defaults. */
export const ArchKnobs = z
  .object({
    activation: z.enum(ACTIVATIONS),
    pooling: z.enum(POOL_MODES),
    batchNorm: z.boolean(),
    dropout: z.number().min(0).max(0.95),
    lrn: z.boolean(),
    residual: z.boolean(),
    width: z.number().min(1 / 64).max(4),
  })
  .partial()
  .strict()
export type ArchKnobsInput = z.infer<typeof ArchKnobs>
/** Side of the square input a network may be built for (the trainer resizes the data to it). */
export const InputSize = z.number().int().min(8).max(512)

const runIdPattern = /^[a-z0-9][a-z0-9-]{0,63}$/
/** Run ids become folder names, so only a narrow alphabet is accepted (no path traversal). */
export const RunId = z.string().regex(runIdPattern, 'run id must be lowercase letters, digits and dashes')

export const TrainConfig = z
  .object({
    arch: ArchitectureId,
    dataset: DatasetId,
    epochs: z.number().int().min(1).max(1000),
    batchSize: z.number().int().min(1).max(4096),
    // Absurd rates are allowed on purpose: watching a run diverge is one of the notes' lessons, and
    // the trainer stops it on the first non-finite loss with a message.
    learningRate: z.number().gt(0).max(1e6),
    /** Defaults to the architecture's own choice (plain SGD for the sigmoid LeNet, as in the notes). */
    optimizer: z.enum(OPTIMIZER_NAMES).optional(),
    /** Coupled L2 weight decay on kernels, as PyTorch's SGD(weight_decay=...). */
    weightDecay: z.number().min(0).max(1).default(0),
    lrSchedule: z.enum(LR_SCHEDULES).default('constant'),
    /** For the `step` schedule: multiply the rate by lrStepGamma every lrStepEpochs epochs. */
    lrStepEpochs: z.number().int().min(1).max(1000).default(10),
    lrStepGamma: z.number().gt(0).max(1).default(0.1),
    /** Linear warm-up from ~0 to the learning rate over this many epochs (fractions allowed). */
    warmupEpochs: z.number().min(0).max(100).default(0),
    /** Clip gradients by their global norm; absent means no clipping. */
    gradientClipNorm: z.number().gt(0).max(1e6).optional(),
    /** Fraction of the training split held out for validation (early stopping watches its loss). */
    validationFraction: z.number().min(0).max(0.5).default(0),
    /** Stop when validation loss has not improved for this many epochs; absent means never. */
    earlyStoppingPatience: z.number().int().min(1).max(1000).optional(),
    /** Train on the first N training images only (quick experiments, tests). */
    limit: z.number().int().min(1).optional(),
    /** Side of the square image the network sees; data of another size is resized. Default: the architecture's. */
    inputSize: InputSize.optional(),
    /** Knobs (activation, pooling, batch norm, dropout, LRN, shortcuts, width); absent ones take the defaults. */
    knobs: ArchKnobs.optional(),
    backend: BackendChoice.default('auto'),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
  })
  .strict()
export type TrainConfig = z.infer<typeof TrainConfig>
export type TrainConfigInput = z.input<typeof TrainConfig>

export const RunStatus = z.enum(['queued', 'running', 'paused', 'completed', 'failed', 'stopped', 'interrupted'])
export type RunStatus = z.infer<typeof RunStatus>

export const BackendReport = z.object({
  name: BackendName,
  /** Why each higher rung was not used (missing binary, failed self-test, forced by user, ...). */
  skipped: z.array(z.object({ name: BackendName, reason: z.string() })),
  selfTestMs: z.number().nonnegative().optional(),
})
export type BackendReport = z.infer<typeof BackendReport>

export const MetricPoint = z.object({
  /** Samples seen since the run started: a common x axis for every batch size. */
  samples: z.number().int().nonnegative(),
  epoch: z.number().nonnegative(),
  loss: z.number(),
  accuracy: z.number().min(0).max(1),
  learningRate: z.number().optional(),
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
})
export type RunResult = z.infer<typeof RunResult>

export const RunSummary = z.object({
  runId: RunId,
  config: TrainConfig,
  status: RunStatus,
  createdAt: z.string(),
  backend: BackendReport.optional(),
  result: RunResult.optional(),
  error: z.string().optional(),
  classNames: z.array(z.string()),
  /** The last epoch boundary saved to disk; a run with one can be resumed from it. */
  checkpointEpoch: z.number().int().min(1).optional(),
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

export const ArchitectureSummary = z.object({
  id: ArchitectureId,
  name: z.string(),
  description: z.string(),
  params: z.number().int(),
  inputShape: z.tuple([z.number().int(), z.number().int(), z.number().int()]),
  defaults: z.object({ epochs: z.number().int(), batchSize: z.number().int(), learningRate: z.number() }),
  /** The notes' setting and a smaller one practical on a CPU, each with its input size and knobs. */
  presets: z
    .array(
      z.object({
        id: z.enum(PRESET_IDS),
        label: z.string(),
        inputSize: InputSize,
        knobs: ArchKnobs,
        params: z.number().int(),
        training: z.object({ epochs: z.number().int(), batchSize: z.number().int(), learningRate: z.number(), optimizer: z.enum(OPTIMIZER_NAMES) }),
      }),
    )
    .optional(),
})
export type ArchitectureSummary = z.infer<typeof ArchitectureSummary>

/** A grayscale image as the model sees it, 0-255 per pixel, row-major. */
export const ModelInputPreview = z.object({
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  pixels: z.array(z.number().int().min(0).max(255)),
  inverted: z.boolean(),
})
export type ModelInputPreview = z.infer<typeof ModelInputPreview>

export const Prediction = z.object({
  preview: ModelInputPreview,
  top: z.array(z.object({ classIndex: z.number().int(), label: z.string(), probability: z.number() })),
})
export type Prediction = z.infer<typeof Prediction>

/** 12 MiB of image, base64-encoded: the largest drop we accept. */
export const MAX_IMAGE_BASE64_LENGTH = 16 * 1024 * 1024

export const SystemInfo = z.object({
  mode: z.enum(['electron', 'web', 'cli']),
  version: z.string(),
  platform: z.string(),
  cpus: z.number().int(),
  totalMemoryBytes: z.number(),
})
export type SystemInfo = z.infer<typeof SystemInfo>

export const LibraryCheck = z.object({ name: z.string(), found: z.boolean(), path: z.string().optional() })

/** What the system doctor found: everything a user needs to see why training runs where it runs. */
export const SystemReport = z.object({
  os: z.string(),
  node: z.string(),
  cpu: z.object({ model: z.string(), cores: z.number().int() }),
  memory: z.object({ totalBytes: z.number(), freeBytes: z.number() }),
  gpu: z.object({
    nvidiaDriver: z.string().optional(),
    devices: z.array(z.string()),
    note: z.string(),
  }),
  cudaLibraries: z.array(LibraryCheck),
  backend: BackendReport.optional(),
  backendError: z.string().optional(),
})
export type SystemReport = z.infer<typeof SystemReport>

export const LrFinderResult = z.object({
  points: z.array(z.object({ learningRate: z.number(), loss: z.number() })),
  /** Where the smoothed loss falls fastest: a good starting learning rate. */
  suggestedLearningRate: z.number().optional(),
})
export type LrFinderResult = z.infer<typeof LrFinderResult>
