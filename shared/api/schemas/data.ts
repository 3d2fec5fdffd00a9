/** Data sets as described to users, their samples and downloads, and the data a run trained on. */
import { z } from 'zod'

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
