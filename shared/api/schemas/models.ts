/** Architectures as listed to users, and what a trained model predicts for an image. */
import { z } from 'zod'
import { OPTIMIZER_NAMES, PRESET_IDS } from '../../arch/specs'
import { ArchKnobs, InputSize } from './trainConfig'
import { ArchitectureId } from './vocabulary'

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
