import { z } from 'zod'
import { ACTIVATIONS, ARCHITECTURE_IDS, OPTIMIZER_NAMES, POOL_MODES, PRESET_IDS, LR_SCHEDULES } from '../arch/specs'

/** Rungs of the backend ladder, best first; `auto` takes the first that loads and passes its self-test. */
/**
 * The backend ladder, best first; `webgpu` is tfjs's WebGPU backend on Dawn (npm `webgpu`) with our WGSL
 * kernels; `wasm-blas` is tfjs's wasm backend with our native BLAS kernels for convolutions and matrix products.
 */
export const BACKEND_NAMES = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm-blas', 'wasm', 'cpu'] as const
export const BackendName = z.enum(BACKEND_NAMES)
export type BackendName = z.infer<typeof BackendName>
export const BackendChoice = z.enum(['auto', ...BACKEND_NAMES])
export type BackendChoice = z.infer<typeof BackendChoice>


/** Data sets that come with the app (MNIST, Fashion-MNIST) or are downloaded on first use (CIFAR-10). */
export const DATASET_IDS = ['mnist', 'fashion-mnist', 'cifar10'] as const
export const BuiltinDatasetId = z.enum(DATASET_IDS)
export type BuiltinDatasetId = z.infer<typeof BuiltinDatasetId>
/** How the built-in data sets are named to users. */
export const DATASET_NAMES: Record<BuiltinDatasetId, string> = { mnist: 'MNIST', 'fashion-mnist': 'Fashion-MNIST', cifar10: 'CIFAR-10' }
/** `folder:<absolute path>`: the user's own images, one subfolder per class (optionally under train/ and test/). */
export const FOLDER_DATASET_PREFIX = 'folder:'
/** A POSIX or Windows absolute path (drive letter or UNC); a relative one would depend on the server's working folder. */
const isAbsolutePath = (path: string) => path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\\\')
export const DatasetId = z
  .string()
  .max(4096)
  .refine(
    (id) => (DATASET_IDS as readonly string[]).includes(id) || (id.startsWith(FOLDER_DATASET_PREFIX) && id.length > FOLDER_DATASET_PREFIX.length && !id.includes('\0')),
    { message: `dataset must be one of ${DATASET_IDS.join(', ')} or folder:<path>` },
  )
  .refine((id) => !id.startsWith(FOLDER_DATASET_PREFIX) || id.length === FOLDER_DATASET_PREFIX.length || isAbsolutePath(id.slice(FOLDER_DATASET_PREFIX.length)), {
    message: 'a folder data set needs an absolute path (folder:/home/me/pictures, not folder:pictures): a relative path would be looked up from wherever the server was started',
  })
export type DatasetId = z.infer<typeof DatasetId>

/** Training-time augmentation; every transform is off unless asked for, and all are seeded per (seed, epoch, image). */
export const AugmentConfig = z
  .object({
    /** Pad each side with this many zero pixels, then crop back to the original size at a random offset. */
    cropPadding: z.number().int().min(0).max(64).default(0),
    /** Mirror left-right with probability 1/2. */
    flip: z.boolean().default(false),
    /** Add a random offset in [-brightness, brightness] to every pixel (pixels are in [0, 1]). */
    brightness: z.number().min(0).max(1).default(0),
    /** Scale the contrast around the image's mean by a factor in [1 - contrast, 1 + contrast]. */
    contrast: z.number().min(0).max(1).default(0),
    /** AlexNet's RGB intensity noise: along the principal components of the training pixels, sigma (0.1 in the paper). */
    pcaNoise: z.number().min(0).max(1).default(0),
  })
  .strict()
export type AugmentConfig = z.infer<typeof AugmentConfig>

/** Per-channel mean/std, one number per channel (or one for all). */
export const ChannelStats = z.object({ mean: z.array(z.number()).min(1).max(3), std: z.array(z.number().gt(0)).min(1).max(3) }).strict()
export type ChannelStats = z.infer<typeof ChannelStats>
/** `none`: pixels in [0, 1]; `dataset`: mean/std computed on the training split; or the mean/std given. */
export const NormalizeConfig = z.union([z.enum(['none', 'dataset']), ChannelStats])
export type NormalizeConfig = z.infer<typeof NormalizeConfig>

/**
 * The order the training split is seen in: `true` reshuffles it every epoch (seeded); `false` keeps the data
 * set's stored order; `class-sorted` is one fixed order sorted by class, as a folder of class subfolders is read.
 */
export const TrainOrder = z.union([z.boolean(), z.literal('class-sorted')])
export type TrainOrder = z.infer<typeof TrainOrder>

export const ArchitectureId = z.enum(ARCHITECTURE_IDS)

/**
 * What `export` writes: `tfjs` the TensorFlow.js layers format (loads in a web page, and in the workbench
 * again through import), `onnx` model.onnx for ONNX Runtime and Netron, `pytorch` the notes' PyTorch code
 * with the weights as numpy arrays.
 */
export const EXPORT_FORMATS = ['tfjs', 'onnx', 'pytorch'] as const
export const ExportFormat = z.enum(EXPORT_FORMATS)
export type ExportFormat = z.infer<typeof ExportFormat>

/** Architecture knobs (shared/arch/vocabulary/types.ts ArchKnobs); any left out take the architecture's defaults. */
export const ArchKnobs = z
  .object({
    activation: z.enum(ACTIVATIONS),
    pooling: z.enum(POOL_MODES),
    batchNorm: z.boolean(),
    dropout: z.number().min(0).max(0.95),
    lrn: z.boolean(),
    residual: z.boolean(),
    reductions: z.boolean(),
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
    /**
     * The starting point the settings left out were taken from (shared/run/resolveRun): the notes' recipe
     * or the CPU preset (smaller input and width, its own optimizer). Absent in runs recorded before it
     * existed, which were resolved from the notes' recipe.
     */
    preset: z.enum(PRESET_IDS).optional(),
    dataset: DatasetId,
    epochs: z.number().int().min(1).max(1000),
    batchSize: z.number().int().min(1).max(4096),
    // Absurd rates are allowed on purpose: watching a run diverge is one of the notes' lessons, and
    // the trainer stops it on the first non-finite loss with a message.
    learningRate: z.number().gt(0).max(1e6),
    /** Always set by resolveRun (the preset's choice: plain SGD for the sigmoid LeNet, as in the notes); absent only in old runs. */
    optimizer: z.enum(OPTIMIZER_NAMES).optional(),
    /** Coupled L2 weight decay on kernels, as PyTorch's SGD(weight_decay=...). */
    weightDecay: z.number().min(0).max(1).default(0),
    /** Always set by resolveRun (the preset's recipe: cosine for lenet-relu, constant elsewhere); absent only in old runs. */
    lrSchedule: z.enum(LR_SCHEDULES).optional(),
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
    /** Evaluate on N test images only (a seeded mix of classes; the lessons keep large networks quick). */
    testLimit: z.number().int().min(1).optional(),
    /** Side of the square image the network sees; data of another size is resized. Default: the architecture's. */
    inputSize: InputSize.optional(),
    /** Knobs (activation, pooling, batch norm, dropout, LRN, shortcuts, width); absent ones take the defaults. */
    knobs: ArchKnobs.optional(),
    /** Training-time augmentation; absent means none. */
    augment: AugmentConfig.optional(),
    normalize: NormalizeConfig.default('none'),
    shuffle: TrainOrder.default(true),
    /** Also evaluate the training split each epoch in evaluation mode (no dropout, no augmentation): `trainEvalAccuracy`. */
    evaluateTrainSplit: z.boolean().optional(),
    backend: BackendChoice.default('auto'),
    /** `mixed`: f16 operands with f32 accumulation and dynamic loss scaling, on the webgpu rung only; absent: fp32. */
    precision: z.enum(['fp32', 'mixed']).optional(),
    /** Model replicas computing each batch in parallel on worker threads (wasm backend only; 1: none). */
    parallelism: z.number().int().min(1).max(16).default(1),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
  })
  .strict()
export type TrainConfig = z.infer<typeof TrainConfig>
export type TrainConfigInput = z.input<typeof TrainConfig>

/**
 * What a user asks for (form, CLI, API, lesson, pool job): a TrainConfig whose training choices may be
 * left to the preset. `resolveRun` (shared/run/resolveRun.ts) turns it into the run's complete settings.
 */
export const TrainRequest = TrainConfig.extend({
  epochs: TrainConfig.shape.epochs.optional(),
  batchSize: TrainConfig.shape.batchSize.optional(),
  learningRate: TrainConfig.shape.learningRate.optional(),
})
export type TrainRequest = z.infer<typeof TrainRequest>
export type TrainRequestInput = z.input<typeof TrainRequest>

/** Where a run trains: in a worker process beside the workbench, or on a worker of the Redis pool. */
export const RunPlace = z.enum(['local', 'pool'])
export type RunPlace = z.infer<typeof RunPlace>

/** A pool worker as it announces itself (heartbeat), and what it is training. */
export const PoolWorkerInfo = z.object({
  id: z.string().max(200),
  host: z.string().max(200),
  pid: z.number().int(),
  /** The backend its ladder chose (probed at start), and the CPU/adapter it runs on. */
  backend: z.string().max(100),
  cpu: z.string().max(200),
  cores: z.number().int().nonnegative(),
  freeMemoryBytes: z.number().nonnegative(),
  concurrency: z.number().int().min(1),
  threads: z.number().int().min(1).optional(),
  runs: z.array(z.string().max(64)),
  startedAt: z.string(),
  seenAt: z.string(),
})
export type PoolWorkerInfo = z.infer<typeof PoolWorkerInfo>

/**
 * How far a run got. `stopped`: the user's Stop ended training after a batch, and the model as it was
 * then was evaluated and saved. `cancelled`: the user's Cancel killed it mid-batch; the unfinished epoch
 * was discarded and there is no model (it resumes from its last checkpoint).
 */
export const RunStatus = z.enum(['queued', 'running', 'paused', 'completed', 'stopped', 'cancelled', 'failed', 'interrupted'])
export type RunStatus = z.infer<typeof RunStatus>

/** What each status means for the user and the services; a Record, so a new status must be described here. */
export const RUN_STATUS_INFO: Record<RunStatus, { meaning: string; active: boolean; hasModel: boolean; resumable: boolean }> = {
  queued: { meaning: 'waiting for a free training slot', active: true, hasModel: false, resumable: false },
  running: { meaning: 'training', active: true, hasModel: false, resumable: false },
  paused: { meaning: 'paused between batches; Resume continues it', active: true, hasModel: false, resumable: true },
  completed: { meaning: 'trained every epoch; the model was evaluated and saved', active: false, hasModel: true, resumable: false },
  stopped: { meaning: 'stopped early by the user; the model as it was then was evaluated and saved', active: false, hasModel: true, resumable: true },
  cancelled: { meaning: 'cancelled by the user; the unfinished epoch was discarded (no model), its last checkpoint kept', active: false, hasModel: false, resumable: true },
  failed: { meaning: 'ended with an error', active: false, hasModel: false, resumable: true },
  interrupted: { meaning: 'the training process ended without finishing (crash, or the app closed)', active: false, hasModel: false, resumable: true },
}

/** What a WebGPU adapter is and offers: shown by `doctor` and the System view. */
export const WebGpuAdapterReport = z.object({
  vendor: z.string(),
  architecture: z.string(),
  device: z.string(),
  description: z.string(),
  /** The native API Dawn drives (Vulkan, D3D12, Metal). */
  backendApi: z.string(),
  /** A CPU rasterizer (lavapipe/llvmpipe, SwiftShader): correct but far slower than the CPU rungs. */
  software: z.boolean(),
  features: z.array(z.string()),
  /** The limits our kernels size their tiles by (workgroup storage, invocations, buffer sizes). */
  limits: z.record(z.string(), z.number()),
  subgroupMinSize: z.number().optional(),
  subgroupMaxSize: z.number().optional(),
  /** Tensor-core shapes offered through subgroup matrices (Dawn's chromium-experimental-subgroup-matrix). */
  subgroupMatrixConfigs: z.array(z.object({ componentType: z.string(), resultComponentType: z.string(), M: z.number(), N: z.number(), K: z.number() })),
})
export type WebGpuAdapterReport = z.infer<typeof WebGpuAdapterReport>

export const WebGpuReport = z.object({
  /** Absent when no adapter was found. */
  adapter: WebGpuAdapterReport.optional(),
  /** Our WGSL kernels registered over tfjs-webgpu's. */
  kernels: z.array(z.string()).optional(),
  /** Why the rung was or was not chosen, in words. */
  verdict: z.string(),
})
export type WebGpuReport = z.infer<typeof WebGpuReport>

/** The statuses of a run that has not ended: it holds a place in the queue or a worker (pausing keeps it). */
export const ACTIVE_RUN_STATUSES: readonly RunStatus[] = RunStatus.options.filter((status) => RUN_STATUS_INFO[status].active)

export function isActiveRunStatus(status: RunStatus | undefined): boolean {
  return status !== undefined && RUN_STATUS_INFO[status].active
}

export const BackendReport = z.object({
  name: BackendName,
  /** Why each higher rung was not used (missing binary, failed self-test, forced by user, ...). */
  skipped: z.array(z.object({ name: BackendName, reason: z.string() })),
  selfTestMs: z.number().nonnegative().optional(),
  /** What the chosen rung runs on, where it says more than its name (e.g. the BLAS library and its threads). */
  detail: z.string().optional(),
  /** The WebGPU adapter, when the webgpu rung was tried (chosen or not). */
  webgpu: WebGpuReport.optional(),
})
export type BackendReport = z.infer<typeof BackendReport>

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

export const ArchitectureSummary = z.object({
  id: ArchitectureId,
  name: z.string(),
  description: z.string(),
  params: z.number().int(),
  inputShape: z.tuple([z.number().int(), z.number().int(), z.number().int()]),
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

/** An image as the model sees it (before normalization), 0-255 per value, row-major. */
export const ModelInputPreview = z.object({
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** 1 (grayscale) or 3 (RGB); pixels are interleaved per channel. */
  channels: z.number().int().min(1).max(4).default(1),
  pixels: z.array(z.number().int().min(0).max(255)),
  inverted: z.boolean(),
  /** How the image was prepared, in order, in words the preview shows (digits: background, crop, fit, centre). */
  steps: z.array(z.string()).optional(),
  /** Set when the image holds nothing to read (blank or nearly uniform): its ranking means nothing. */
  warning: z.string().optional(),
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

/** A file a data set left out, and why (`not an image`, `corrupt: ...`, `larger than 50 megapixels`, ...). */
export const SkippedFile = z.object({ file: z.string(), reason: z.string() })
export type SkippedFile = z.infer<typeof SkippedFile>

const Count = z.number().int().nonnegative()
const ImageShape = z.tuple([z.number().int().positive(), z.number().int().positive(), z.number().int().positive()])

/** The data a run trained on, stored in its summary. */
export const RunDataSummary = z.object({
  /** [height, width, channels] of the images fed to the model. */
  imageShape: ImageShape,
  train: Count,
  validation: Count,
  test: Count,
  /** Per-channel mean/std of the training split (pixels in [0, 1]); `normalized` says whether they were applied. */
  mean: z.array(z.number()),
  std: z.array(z.number()),
  normalized: z.boolean(),
  skipped: Count,
  /**
   * Files that were listed but failed to decode while training (changed or damaged after the folder was
   * read): each is left out of every later batch. The first MAX_LISTED_UNREADABLE, and how many in all.
   */
  unreadable: z.array(SkippedFile).optional(),
  unreadableCount: Count.optional(),
})
export const MAX_LISTED_UNREADABLE = 100
export type RunDataSummary = z.infer<typeof RunDataSummary>

/** What `data.describe` and `cli data` report about a data set. */
export const DatasetDescription = z.object({
  id: z.string(),
  name: z.string(),
  /** Where the images come from and how the splits are made. */
  source: z.string(),
  classNames: z.array(z.string()),
  classCounts: z.object({ train: z.array(Count), test: z.array(Count) }),
  splits: z.object({ train: Count, validation: Count, test: Count }),
  /** [height, width, channels] of the images as the pipeline yields them. */
  imageShape: ImageShape,
  /** The sizes found on disk, e.g. `28x28` or `17x20 to 640x480` for a folder. */
  storedSize: z.string(),
  mean: z.array(z.number()),
  std: z.array(z.number()),
  /** Images the mean/std were computed on (a seeded sample for very large folders). */
  statsImages: Count,
  skipped: z.array(SkippedFile),
  /** Files read but worth knowing about (names that are not valid UTF-8, ...). */
  warnings: z.array(SkippedFile),
})
export type DatasetDescription = z.infer<typeof DatasetDescription>

/** A small image for display: 0-255 per value, row-major, channels interleaved (1 = gray, 3 = RGB). */
export const ImagePreview = z.object({
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  channels: z.union([z.literal(1), z.literal(3)]),
  pixels: z.array(z.number().int().min(0).max(255)),
})
export type ImagePreview = z.infer<typeof ImagePreview>

export const DataSample = z.object({
  index: z.number().int().nonnegative(),
  label: z.number().int().nonnegative(),
  className: z.string(),
  /** As decoded and resized, before augmentation. */
  original: ImagePreview,
  /** The same image after the training augmentation (identical when none is configured). */
  augmented: ImagePreview,
})
export type DataSample = z.infer<typeof DataSample>

export const DownloadProgress = z.object({
  dataset: z.string(),
  file: z.string(),
  receivedBytes: Count,
  /** Absent when the server does not say. */
  totalBytes: Count.optional(),
  bytesPerSecond: z.number().nonnegative(),
  etaSeconds: z.number().nonnegative().optional(),
  phase: z.enum(['downloading', 'verifying', 'extracting', 'done', 'failed']),
})
export type DownloadProgress = z.infer<typeof DownloadProgress>
