import type { SkippedFile, TrainOrder } from '../../../shared/api/schemas'
import type { Batch, BatchSource } from '../pipeline/batchSource'
import { epochOrder } from '../pipeline/batchSource'
import type { ImagePipeline } from '../pipeline/imagePipeline'
import type { FolderEntry } from './folderScan'
import { mapLimited } from './folderScan'
import { decodeConcurrency, decodeImage, decodeImages, ImageDecodeError, MAX_FILE_BYTES, MAX_INPUT_PIXELS, type DecodeTarget } from './imageFiles'
import { decodeJpegFiles } from './jpegFastPath'
import { FileTooLargeError, NotRegularFileError, readRegularFile } from '../../storage/regularFile'

/**
 * Decoded images kept by least recent use within a byte budget: repeated epochs over a small folder hit the
 * cache, a large folder streams through it, and memory stays bounded either way.
 */
export class ImageCache {
  private readonly entries = new Map<number, Uint8Array>()
  private used = 0

  constructor(readonly budgetBytes: number) {}

  get(key: number): Uint8Array | undefined {
    const value = this.entries.get(key)
    if (value) {
      this.entries.delete(key)
      this.entries.set(key, value)
    }
    return value
  }

  set(key: number, value: Uint8Array): void {
    if (value.byteLength > this.budgetBytes) return
    const old = this.entries.get(key)
    if (old) this.used -= old.byteLength
    this.entries.delete(key)
    this.entries.set(key, value)
    this.used += value.byteLength
    while (this.used > this.budgetBytes) {
      const [oldest, image] = this.entries.entries().next().value as [number, Uint8Array]
      this.entries.delete(oldest)
      this.used -= image.byteLength
    }
  }

  get bytes(): number {
    return this.used
  }
}

export interface FolderSourceOptions {
  target: DecodeTarget
  pipeline: ImagePipeline
  seed: number
  shuffle: TrainOrder
  augment: boolean
  cache: ImageCache
  /** Offset of these entries' keys in the shared cache (train, validation and test share one). */
  cacheKeyBase: number
  /** Called once per file that fails to decode; the file is then left out of every later batch. */
  onSkip?: (file: SkippedFile) => void
  /**
   * Files read at once (on libuv's thread pool), default decodeConcurrency(); a batch's files are then
   * decoded together (decodeImages). 1: read and decoded one at a time, the reference for tests.
   */
  concurrency?: number
}

/**
 * Reads one file of the folder; errors name the reason. The scan's checks are made again on the open
 * handle (not before it: the scan just made them): the file may have been replaced by a FIFO or grown
 * past the limit since.
 */
export async function readEntry(entry: FolderEntry): Promise<Uint8Array> {
  try {
    return await readRegularFile(entry.path, MAX_FILE_BYTES, { scanned: true })
  } catch (error) {
    if (error instanceof NotRegularFileError || error instanceof FileTooLargeError) throw new ImageDecodeError(error.message)
    throw new ImageDecodeError(`cannot be read (${(error as Error).message})`)
  }
}

/** Reads and decodes one file of the folder, at the target size. */
export async function decodeEntry(entry: FolderEntry, target: DecodeTarget): Promise<Uint8Array> {
  return decodeImage(await readEntry(entry), target)
}

/**
 * A folder split streamed batch by batch: files are read and decoded (resized at decode time) when a batch
 * needs them, the next batch is decoded while the current one trains, and decoded images live only in the
 * bounded cache. A file that fails to decode is reported once and dropped from its batch.
 */
export class FolderBatchSource implements BatchSource {
  readonly imageShape: [number, number, number]
  private readonly failed = new Set<number>()

  constructor(
    private readonly entries: FolderEntry[],
    private readonly options: FolderSourceOptions,
  ) {
    this.imageShape = options.pipeline.outputShape
  }

  private get labels(): number[] {
    return this.entries.map((entry) => entry.label)
  }

  get count(): number {
    return this.entries.length
  }

  /** The decoded bytes of entry `index` (cached), or undefined when it cannot be decoded. */
  async stored(index: number): Promise<Uint8Array | undefined> {
    return (await this.storedMany([index]))[0]
  }

  /**
   * The decoded bytes of these entries, undefined where one cannot be decoded: cached ones from the
   * cache; the JPEGs the native decoder takes read and decoded by it, on all cores; the others read
   * concurrently and decoded as one batch (decodeImages), which gives the reasons for broken files.
   */
  async storedMany(indices: readonly number[]): Promise<(Uint8Array | undefined)[]> {
    const { cache, cacheKeyBase, target } = this.options
    const results = indices.map((index) => (this.failed.has(index) ? undefined : cache.get(cacheKeyBase + index)))
    let missing = indices.flatMap((index, i) => (results[i] || this.failed.has(index) ? [] : [i]))
    const concurrency = this.options.concurrency ?? decodeConcurrency()
    if (concurrency > 1 && missing.length) {
      const native = await decodeJpegFiles(missing.map((i) => this.entries[indices[i]].path), target, MAX_INPUT_PIXELS, MAX_FILE_BYTES)
      missing.forEach((i, k) => {
        const pixels = native.pixels[k]
        if (!pixels) return
        cache.set(cacheKeyBase + indices[i], pixels)
        results[i] = pixels
      })
      missing = missing.filter((i) => !results[i])
    }
    const chunk = concurrency === 1 ? 1 : Math.max(1, missing.length)
    for (let first = 0; first < missing.length; first += chunk) {
      const slots = missing.slice(first, first + chunk)
      const files = await mapLimited(slots, concurrency, (i) => readEntry(this.entries[indices[i]]).catch((error: unknown) => error as Error))
      const readable = slots.filter((_, k) => !(files[k] instanceof Error))
      const decoded = await decodeImages(files.filter((file): file is Uint8Array => !(file instanceof Error)), target)
      slots.forEach((i, k) => (files[k] instanceof Error ? this.fail(indices[i], files[k]) : undefined))
      readable.forEach((i, k) => {
        const pixels = decoded[k]
        if (pixels instanceof ImageDecodeError) return this.fail(indices[i], pixels)
        cache.set(cacheKeyBase + indices[i], pixels)
        results[i] = pixels
      })
    }
    return results
  }

  /** Reports a file that cannot be decoded, once; it is left out of every later batch. */
  private fail(index: number, error: Error): void {
    if (this.failed.has(index)) return
    this.failed.add(index)
    this.options.onSkip?.({ file: this.entries[index].display, reason: error instanceof ImageDecodeError ? error.reason : String(error) })
  }

  entry(index: number): FolderEntry {
    return this.entries[index]
  }

  private async loadBatch(order: Uint32Array, first: number, size: number, epoch: number): Promise<Batch> {
    const indices = Array.from(order.subarray(first, first + size))
    const pixels = await this.storedMany(indices)
    const pipeline = this.options.pipeline
    const kept = indices.filter((_, i) => pixels[i])
    const images = new Float32Array(kept.length * pipeline.pixelsOut)
    const labels = new Int32Array(kept.length)
    let slot = 0
    indices.forEach((index, i) => {
      const stored = pixels[i]
      if (!stored) return
      const random = this.options.augment ? pipeline.randomFor(this.options.seed, epoch, index) : undefined
      pipeline.process(stored, images, slot * pipeline.pixelsOut, random)
      labels[slot++] = this.entries[index].label
    })
    return { images, labels, size: kept.length }
  }

  async *batches(epoch: number, batchSize: number): AsyncIterable<Batch> {
    const order = epochOrder(this.entries.length, this.options.seed, epoch, this.options.shuffle, this.labels)
    let next: Promise<Batch> | undefined = this.entries.length ? this.loadBatch(order, 0, batchSize, epoch) : undefined
    for (let first = 0; next; first += batchSize) {
      const current: Promise<Batch> = next
      const following = first + batchSize
      // Decode ahead: the next batch is read while the caller trains on this one.
      next = following < this.entries.length ? this.loadBatch(order, following, batchSize, epoch) : undefined
      // A rejected look-ahead is awaited on the next turn; until then keep it from counting as unhandled.
      next?.catch(() => {})
      const batch = await current
      if (batch.size > 0) yield batch
    }
  }
}
