import type { AugmentConfig, ChannelStats, NormalizeConfig, SkippedFile, TrainOrder } from '../../shared/api/schemas'
import type { BatchSource } from './pipeline/batchSource'
import { DatasetError } from './pipeline/dataset'
import { createRandom, shuffledIndices } from './pipeline/seededRandom'
import type { ImagePipeline, PixelStats, StoredPixels } from './pipeline/imagePipeline'
import type { ScanOptions } from './folder/folderScan'

export interface OpenOptions {
  dataDir?: string
  /** A folder data set's scan: cancel, progress, bounds. */
  scan?: ScanOptions
  seed: number
  validationFraction: number
  limit?: number
  /** Test images kept: a seeded mix of classes (the whole test split when absent). */
  testLimit?: number
  augment?: AugmentConfig
  normalize: NormalizeConfig
  shuffle: TrainOrder
  /** Side (or [height, width]) folders decode to; default: the most common stored size. In-memory sets keep theirs. */
  size?: number | [number, number]
  /** Channels the model takes; default: the data set's (folders: 3). */
  channels?: 1 | 3
  /** Compute mean/std even when nothing needs them (descriptions). */
  stats?: boolean
  cacheBytes?: number
  onSkip?: (file: SkippedFile) => void
}

export type SplitName = 'train' | 'validation' | 'test'

export interface OpenedDataset {
  id: string
  name: string
  source: string
  classNames: string[]
  /** [height, width, channels] of what the batch sources yield. */
  imageShape: [number, number, number]
  storedSize: string
  train: BatchSource
  /** The training split as the test split is read: no augmentation, stored order (evaluation-mode training accuracy). */
  trainEval: BatchSource
  validation?: BatchSource
  test: BatchSource
  stats?: PixelStats
  /** The mean/std applied, when normalizing. */
  normalization?: ChannelStats
  skipped: SkippedFile[]
  warnings: SkippedFile[]
  counts: Record<SplitName, number>
  classCounts: { train: number[]; test: number[] }
  /** Stored pixels and label of one image (undefined when it cannot be decoded), before any transform. */
  image(split: SplitName, index: number): Promise<{ pixels: StoredPixels; label: number; file?: string } | undefined>
  /** The pipeline without normalization: for previews. */
  previewPipeline: ImagePipeline
  /** Decodes every image once (folders) so that every bad file is found and listed; in-memory sets do nothing. */
  verify(): Promise<void>
}

export function classCounts(labels: ArrayLike<number>, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0)
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++
  return counts
}

export function resolveNormalization(normalize: NormalizeConfig, stats: PixelStats | undefined, channels: number): ChannelStats | undefined {
  if (normalize === 'none') return undefined
  if (normalize === 'dataset') return { mean: stats!.mean, std: stats!.std }
  for (const values of [normalize.mean, normalize.std]) {
    if (values.length !== 1 && values.length !== channels) throw new DatasetError(`normalize: give 1 or ${channels} values for mean and std, not ${values.length}`)
  }
  return normalize
}

export const needsStats = (options: OpenOptions) => options.stats || options.normalize === 'dataset' || (options.augment?.pcaNoise ?? 0) > 0

/**
 * `count` of `total` indices, a mix of classes (a test split may be stored sorted by class), in ascending
 * order. The same for every run seed: runs with the same testLimit are compared on the same images.
 */
export function sampleIndices(total: number, count: number): number[] {
  if (count >= total) return Array.from({ length: total }, (_, i) => i)
  return Array.from(shuffledIndices(total, createRandom(0x7e57)).subarray(0, count)).sort((a, b) => a - b)
}
