/** A run's settings: what a user asks for (TrainRequest) and what a run trains with (TrainConfig). */
import { z } from 'zod'
import { ACTIVATIONS, LR_SCHEDULES, OPTIMIZER_NAMES, POOL_MODES, PRESET_IDS } from '../../arch/specs'
import { ArchitectureId, BackendChoice, DatasetId } from './vocabulary'

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
    /** Coupled L2 weight decay on every trainable weight (biases and batch norm's too), as PyTorch's SGD(net.parameters(), weight_decay=...). */
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
