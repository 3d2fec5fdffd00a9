import { z } from 'zod'
import { MAX_IMAGE_BASE64_LENGTH, ModelInputPreview, RunId } from './schemas'

/** At most this many channels of each layer come back as feature maps. */
export const MAX_INSPECT_CHANNELS = 16
/** Feature maps larger than this (per side) are downsampled before they are sent. */
export const MAX_MAP_SIDE = 48
/** At most this many of the first layer's filters come back as images. */
export const MAX_INSPECT_FILTERS = 64
export const HISTOGRAM_BINS = 32

export const InspectRequest = z
  .object({
    runId: RunId,
    fileName: z.string().max(1024),
    imageBase64: z.string().max(MAX_IMAGE_BASE64_LENGTH, 'image is larger than 12 MiB'),
    maxChannels: z.number().int().min(1).max(MAX_INSPECT_CHANNELS).default(MAX_INSPECT_CHANNELS),
    /** The first channel of each convolution to return (pages through layers wider than maxChannels). */
    firstChannel: z.number().int().min(0).max(65_536).default(0),
    /** Occlusion map on or off (it costs one forward pass per patch position, at most 144). */
    occlusion: z.boolean().default(true),
    /** Grad-CAM on or off (one more forward and backward pass; paging through channels skips it). */
    gradCam: z.boolean().default(true),
  })
  .strict()


/** A 2-D map scaled to 0-255 for display, with the value range it was scaled from. */
export const GrayMap = z.object({
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  pixels: z.array(z.number().int().min(0).max(255)),
  min: z.number(),
  max: z.number(),
})
export type GrayMap = z.infer<typeof GrayMap>

/** Where one unit of a layer looks in the input: window side, step between units, and the first unit's centre. */
export const ReceptiveField = z.object({ size: z.number(), jump: z.number(), start: z.number() })
export type ReceptiveField = z.infer<typeof ReceptiveField>

export const InspectedLayer = z.object({
  name: z.string(),
  /** The tfjs layer class: Conv2D, InputConv2D, MaxPooling2D, Activation, Dense, ... */
  className: z.string(),
  /** What the layer does, for people: `conv 5x5 /1 p2 → 6`, `max pool 2x2 /2`, `ReLU` (from the run's spec). */
  kind: z.string().optional(),
  outputShape: z.array(z.number().int()),
  /** Convolution layers only: `maxChannels` channels from `firstChannel` on, each downsampled to at most MAX_MAP_SIDE. */
  maps: z.array(GrayMap.extend({ channel: z.number().int() })),
  histogram: z.object({ min: z.number(), max: z.number(), counts: z.array(z.number().int()) }),
  /** Spatial layers only. */
  receptiveField: ReceptiveField.optional(),
})
export type InspectedLayer = z.infer<typeof InspectedLayer>

export const Inspection = z.object({
  preview: ModelInputPreview,
  top: z.array(z.object({ classIndex: z.number().int(), label: z.string(), probability: z.number() })),
  layers: z.array(InspectedLayer),
  /** The first convolution's filters; each pixel 128 is a zero weight. */
  filters: z
    .object({
      layer: z.string(),
      kernelSize: z.number().int(),
      total: z.number().int(),
      images: z.array(z.object({ width: z.number().int(), height: z.number().int(), channels: z.number().int(), pixels: z.array(z.number().int().min(0).max(255)) })),
    })
    .nullable(),
  /**
   * How much the predicted class's probability drops when a gray patch covers each position:
   * `values[row * width + col]`, positive where covering hurts the prediction.
   */
  occlusion: z
    .object({
      width: z.number().int(),
      height: z.number().int(),
      patch: z.number().int(),
      stride: z.number().int(),
      classIndex: z.number().int(),
      baseline: z.number(),
      values: z.array(z.number()),
    })
    .nullable(),
  /**
   * Grad-CAM of the predicted class at `layer` (the last spatial layer the score depends on alone):
   * `values[row * width + col]` >= 0, larger where that layer's features raise the class score.
   */
  gradCam: z
    .object({
      layer: z.string(),
      width: z.number().int(),
      height: z.number().int(),
      classIndex: z.number().int(),
      values: z.array(z.number()),
    })
    .nullable(),
})
export type Inspection = z.infer<typeof Inspection>
