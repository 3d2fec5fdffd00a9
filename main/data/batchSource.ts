import type { TrainOrder } from '../../shared/api/schemas'
import type { DataSplit } from './dataset'
import { createRandom, shuffledIndices } from './seededRandom'
import type { ImagePipeline } from './pipeline'

/** One mini-batch in the model's layout: NHWC float pixels and integer labels. */
export interface Batch {
  images: Float32Array
  labels: Int32Array
  size: number
}

/**
 * Where the trainer gets its batches. In-memory splits and streamed folders both implement it, so the
 * training loop knows nothing about files, decoding or augmentation.
 */
export interface BatchSource {
  readonly count: number
  /** [height, width, channels] of every image it yields. */
  readonly imageShape: [number, number, number]
  /** The batches of one epoch; the order depends only on the seed and the epoch number. */
  batches(epoch: number, batchSize: number): AsyncIterable<Batch>
  /**
   * Present where the split is held in memory: what a device-side input pipeline needs to build the same
   * batches itself (the engine's webgpu rung uploads the split once and gathers batches on the GPU).
   */
  readonly inMemory?: InMemoryPlan
}

/** An in-memory source's split and settings: `batches` is a function of these alone. */
export interface InMemoryPlan {
  split: DataSplit
  /** [height, width, channels] as stored. */
  storedShape: [number, number, number]
  seed: number
  shuffle: TrainOrder
  pipeline?: ImagePipeline
  augment: boolean
}

/**
 * The same epoch order for the same seed and epoch, whether or not the run was resumed in between.
 * `class-sorted` needs the labels: every epoch all of class 0 (in stored order), then class 1, ...
 */
export function epochOrder(count: number, seed: number, epoch: number, shuffle: TrainOrder = true, labels?: ArrayLike<number>): Uint32Array {
  if (shuffle === 'class-sorted') {
    if (!labels || labels.length < count) throw new Error('a class-sorted order needs every image\'s label')
    // Array.prototype.sort is stable: within a class the stored order stays.
    return Uint32Array.from(Array.from({ length: count }, (_, i) => i).sort((a, b) => labels[a] - labels[b]))
  }
  if (!shuffle) return Uint32Array.from({ length: count }, (_, i) => i)
  return shuffledIndices(count, createRandom((seed * 1_000_003 + epoch) >>> 0))
}

export interface InMemorySourceOptions {
  seed: number
  shuffle?: TrainOrder
  /** Channel conversion, augmentation (when `augment` is true) and normalization; absent: float pixels as stored. */
  pipeline?: ImagePipeline
  /** Apply the pipeline's augmentation (training split only). */
  augment?: boolean
}

export function inMemoryBatchSource(split: DataSplit, imageShape: [number, number, number], options: InMemorySourceOptions): BatchSource {
  const pipeline = options.pipeline
  const pixelsIn = pipeline ? pipeline.pixelsIn : imageShape[0] * imageShape[1] * imageShape[2]
  const pixelsOut = pipeline ? pipeline.pixelsOut : pixelsIn
  const outShape = pipeline ? pipeline.outputShape : imageShape
  if (!pipeline && !(split.images instanceof Float32Array)) throw new Error('byte images need a pipeline to become floats')
  return {
    count: split.count,
    imageShape: outShape,
    inMemory: { split, storedShape: imageShape, seed: options.seed, shuffle: options.shuffle ?? true, pipeline, augment: !!options.augment },
    async *batches(epoch, batchSize) {
      const order = epochOrder(split.count, options.seed, epoch, options.shuffle ?? true, split.labels)
      for (let first = 0; first < split.count; first += batchSize) {
        const size = Math.min(batchSize, split.count - first)
        const images = new Float32Array(size * pixelsOut)
        const labels = new Int32Array(size)
        for (let i = 0; i < size; i++) {
          const index = order[first + i]
          const stored = split.images.subarray(index * pixelsIn, (index + 1) * pixelsIn)
          if (pipeline) pipeline.process(stored, images, i * pixelsOut, options.augment ? pipeline.randomFor(options.seed, epoch, index) : undefined)
          else images.set(stored, i * pixelsOut)
          labels[i] = split.labels[index]
        }
        yield { images, labels, size }
      }
    },
  }
}
