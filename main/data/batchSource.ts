import type { DataSplit } from './dataset'
import { createRandom, shuffledIndices } from '../engine/seededRandom'

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
}

/** The same epoch order for the same seed and epoch, whether or not the run was resumed in between. */
export function epochOrder(count: number, seed: number, epoch: number, shuffle = true): Uint32Array {
  if (!shuffle) return Uint32Array.from({ length: count }, (_, i) => i)
  return shuffledIndices(count, createRandom((seed * 1_000_003 + epoch) >>> 0))
}

export function inMemoryBatchSource(
  split: DataSplit,
  imageShape: [number, number, number],
  options: { seed: number; shuffle?: boolean },
): BatchSource {
  const pixels = imageShape[0] * imageShape[1] * imageShape[2]
  return {
    count: split.count,
    imageShape,
    async *batches(epoch, batchSize) {
      const order = epochOrder(split.count, options.seed, epoch, options.shuffle ?? true)
      for (let first = 0; first < split.count; first += batchSize) {
        const size = Math.min(batchSize, split.count - first)
        const images = new Float32Array(size * pixels)
        const labels = new Int32Array(size)
        for (let i = 0; i < size; i++) {
          const index = order[first + i]
          images.set(split.images.subarray(index * pixels, (index + 1) * pixels), i * pixels)
          labels[i] = split.labels[index]
        }
        yield { images, labels, size }
      }
    },
  }
}
