import type { DatasetDescription, DataSample, ImagePreview } from '../../shared/api/schemas'
import { createRandom, shuffledIndices } from './pipeline/seededRandom'
import { isFolderDataset } from './datasetIds'
import { openFolder } from './folderDataset'
import { openInMemory } from './inMemoryDataset'
import type { OpenedDataset, OpenOptions } from './openedDataset'

export type { OpenedDataset, OpenOptions } from './openedDataset'

export async function openDataset(id: string, options: OpenOptions): Promise<OpenedDataset> {
  return isFolderDataset(id) ? openFolder(id, options) : openInMemory(id, options)
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
