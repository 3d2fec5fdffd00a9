import type { SkippedFile } from '../../shared/api/schemas'
import { folderOf } from './datasetIds'
import { FolderBatchSource, ImageCache } from './folder/folderSource'
import { FOLDER_TEST_FRACTION, scanFolder, type FolderEntry, type FolderScan } from './folder/folderScan'
import type { DecodeTarget } from './folder/imageFiles'
import { probeSizes } from './folder/sizeProbe'
import { ImagePipeline, StatsAccumulator, toFloatChannels, type PixelStats } from './pipeline/imagePipeline'
import { createRandom, shuffledIndices } from './pipeline/seededRandom'
import { classCounts, needsStats, resolveNormalization, sampleIndices, type OpenedDataset, type OpenOptions, type SplitName } from './openedDataset'

/** Mean/std of a folder are computed on at most this many training images (a seeded sample beyond it). */
export const MAX_STATS_IMAGES = 10_000
/** Decoded images a folder data set keeps in memory, whatever its size. */
export const DEFAULT_CACHE_BYTES = 192 * 2 ** 20

/** The files left out (the scan's, then those that fail to decode) and the handler the batch sources report to. */
function skipTracker(scanSkipped: SkippedFile[], report: OpenOptions['onSkip']) {
  const skipped = [...scanSkipped]
  const failed = new Set<string>()
  const reported = new Set<string>()
  const onSkip = (file: SkippedFile) => {
    // The statistics pass and the split that holds the file would both report it: once is enough.
    if (reported.has(file.file)) return
    reported.add(file.file)
    failed.add(file.file)
    skipped.push(file)
    report?.(file)
  }
  return { skipped, failed, onSkip }
}

/** The files of each split: limit, validation share and test sample applied. */
function splitEntries(scan: FolderScan, options: OpenOptions) {
  // A fixed seeded order: `limit` takes a mix of classes and validation is a random share of the training split.
  const mixed = Array.from(shuffledIndices(scan.train.length, createRandom((options.seed * 31 + 17) >>> 0)), (i) => scan.train[i])
  const limited = options.limit !== undefined ? mixed.slice(0, options.limit) : mixed
  const held = Math.floor(limited.length * options.validationFraction)
  return {
    limited,
    train: limited.slice(0, limited.length - held),
    validation: limited.slice(limited.length - held),
    test: options.testLimit === undefined ? scan.test : sampleIndices(scan.test.length, options.testLimit).map((i) => scan.test[i]),
  }
}

/** Mean/std over a seeded sample of at most MAX_STATS_IMAGES training images, decoded without transforms. */
async function folderStats(source: FolderBatchSource, seed: number, { height, width, channels }: DecodeTarget): Promise<PixelStats> {
  const order = shuffledIndices(source.count, createRandom((seed * 131 + 7) >>> 0))
  const picked = Array.from(order.subarray(0, MAX_STATS_IMAGES))
  const accumulator = new StatsAccumulator(channels)
  const scratch = new Float32Array(height * width * channels)
  for (let first = 0; first < picked.length; first += 256) {
    const decoded = await source.storedMany(picked.slice(first, first + 256))
    for (const pixels of decoded) {
      if (!pixels) continue
      toFloatChannels(pixels, channels, channels, scratch)
      accumulator.add(scratch)
    }
  }
  return accumulator.result()
}

/** Decodes every image of the sources once, so that every unreadable file is reported. */
async function decodeAll(sources: (FolderBatchSource | undefined)[]): Promise<void> {
  for (const source of sources) {
    if (!source) continue
    for (let first = 0; first < source.count; first += 256) {
      await source.storedMany(Array.from({ length: Math.min(256, source.count - first) }, (_, i) => first + i))
    }
  }
}

function folderSourceText(root: string, scan: FolderScan, seed: number): string {
  return scan.layout === 'train-test'
    ? `folder ${root} with train/ and test/ subfolders`
    : `folder ${root}; ${Math.round(FOLDER_TEST_FRACTION * 100)}% of each class held out as the test split (seed ${seed})`
}

/** A folder of class subfolders, streamed: scanned, split, sized, its statistics computed when needed. */
export async function openFolder(id: string, options: OpenOptions): Promise<OpenedDataset> {
  const root = folderOf(id)
  const scan = await scanFolder(root, options.seed, options.scan)
  const { skipped, failed, onSkip } = skipTracker(scan.skipped, options.onSkip)
  const entries = splitEntries(scan, options)
  const probe = await probeSizes(scan.train, options.seed)
  const size = options.size ?? probe.common
  const [height, width] = typeof size === 'number' ? [size, size] : size
  const channels = options.channels ?? 3
  const target: DecodeTarget = { height, width, channels }
  const cache = new ImageCache(options.cacheBytes ?? DEFAULT_CACHE_BYTES)
  const base = { fromChannels: channels, toChannels: channels, height, width }
  const make = (files: FolderEntry[], keyBase: number, training: boolean, pipeline: ImagePipeline) =>
    new FolderBatchSource(files, {
      target,
      pipeline,
      seed: options.seed,
      shuffle: training ? options.shuffle : false,
      augment: training,
      cache,
      cacheKeyBase: keyBase,
      onSkip,
    })
  const stats = needsStats(options) ? await folderStats(make(entries.train, 0, false, new ImagePipeline(base)), options.seed, target) : undefined
  const normalization = resolveNormalization(options.normalize, stats, channels)
  const pipeline = new ImagePipeline({ ...base, augment: options.augment, normalize: normalization, stats })
  const train = make(entries.train, 0, true, pipeline)
  const validation = entries.validation.length ? make(entries.validation, entries.train.length, false, pipeline) : undefined
  const test = make(entries.test, entries.limited.length, false, pipeline)
  const sources: Record<SplitName, FolderBatchSource | undefined> = { train, validation, test }
  // Files found unreadable while decoding are not counted.
  const usable = (files: FolderEntry[]) => files.filter((entry) => !failed.has(entry.display))
  return {
    id,
    name: root.split(/[\\/]/).filter(Boolean).at(-1) ?? root,
    source: folderSourceText(root, scan, options.seed),
    classNames: scan.classNames,
    imageShape: [height, width, channels],
    storedSize: probe.range,
    train,
    trainEval: make(entries.train, 0, false, pipeline),
    validation,
    test,
    stats,
    normalization,
    skipped,
    warnings: scan.warnings,
    get counts() {
      return { train: usable(entries.train).length, validation: usable(entries.validation).length, test: usable(entries.test).length }
    },
    get classCounts() {
      const countClasses = (files: FolderEntry[]) => classCounts(usable(files).map((entry) => entry.label), scan.classNames.length)
      return { train: countClasses(entries.limited), test: countClasses(entries.test) }
    },
    image: async (split, index) => {
      const source = sources[split]
      if (!source || index >= source.count) return undefined
      const pixels = await source.stored(index)
      return pixels ? { pixels, label: source.entry(index).label, file: source.entry(index).display } : undefined
    },
    previewPipeline: new ImagePipeline({ ...base, augment: options.augment, stats }),
    verify: () => decodeAll([train, validation, test]),
  }
}
