import * as tf from '@tensorflow/tfjs-core'
import type { TensorInfo } from '@tensorflow/tfjs-core'
import { epochOrder, type InMemoryPlan } from '../../data/pipeline/batchSource'
import { isAugmenting } from '../../data/pipeline/imagePipeline'
import { BatchGatherProgram, LabelGatherProgram, type BatchGatherSpec } from './kernels/batchGatherProgram'
import type { WebGpuProgramLike } from './kernels/gemmProgram'
import { BYTE_SCALE } from '../../../shared/modelPixels'
import { environment, type EnvironmentVariable } from '../../config/environment'

/**
 * The input pipeline on the GPU for in-memory splits (MNIST, Fashion-MNIST, CIFAR-10): the split's pixels
 * (bytes stay bytes, four to a word) and labels are uploaded once; each batch uploads only its slots
 * (the same epochOrder as the CPU path) and one program gathers, converts, augments and normalizes into
 * the batch tensor, a second gathers the labels. The trainer uses it on the webgpu backend; every other
 * rung, and folders streamed from disk, keep the CPU path.
 */

/** Env var: `cpu` keeps the CPU input pipeline on webgpu too (to compare the two, or to rule this one out). */
export const GPU_DATA_ENV = 'WORKBENCH_WEBGPU_DATA' satisfies EnvironmentVariable

/** Env var: 1 makes the gather read the next image (and label) of the split, a broken input pipeline the tests must catch. */
export const GPU_DATA_FAULT_ENV = 'WORKBENCH_WEBGPU_DATA_FAULT' satisfies EnvironmentVariable
let faulty = environment(GPU_DATA_FAULT_ENV) === '1'

/** Tests: a smaller buffer limit than the device's, to reach the refusal without a split that large. */
export const deviceBatchTuning = { maxBufferBytes: Infinity }

/** Breaks the GPU gather on purpose (tests), or mends it. */
export function setGpuDataFault(on: boolean): void {
  faulty = on
}

/** A batch already on the device; whoever takes it disposes x and y. */
export interface DeviceBatch {
  x: tf.Tensor4D
  /** int32 class indices. */
  y: tf.Tensor1D
  size: number
}

export interface DeviceBatchSource {
  readonly count: number
  readonly imageShape: [number, number, number]
  /** What was uploaded once: pixels, labels and the byte codebook. */
  readonly uploadedBytes: number
  batches(epoch: number, batchSize: number): Iterable<DeviceBatch>
  dispose(): void
}

interface BackendLike {
  runWebGPUProgram(program: WebGpuProgramLike, inputs: TensorInfo[], outputDtype: 'float32' | 'int32', uniforms?: { type: string; data: number[] }[]): TensorInfo
  device: { limits: Record<string, number> }
}

/** How the split's pixels go up: bytes packed four to an i32 word (read through a codebook) or floats as stored. */
interface PixelUpload {
  storage: 'bytes' | 'floats'
  /** f32 value of each byte, exactly as the CPU path computes it. */
  codebook: Float32Array
  bytes: number
  build(): Int32Array | Float32Array
}

/** The CPU path scales stored bytes by 1/255 (pipeline.ts's toFloatChannels). */
const byteCodebook = () => Float32Array.from({ length: 256 }, (_, b) => b * BYTE_SCALE)
/** MNIST's loader stores bytes / 255 as floats. */
const floatCodebook = () => Float32Array.from({ length: 256 }, (_, b) => b / 255) // bytes / 255 exactly, as mnist.ts divides

/** Little-endian words (every platform Dawn runs on): byte i sits at bits 8 * (i % 4) of word i / 4. */
const wordAligned = (length: number) => new Uint8Array(Math.ceil(length / 4) * 4)

/**
 * Floats that are all some byte / 255 (MNIST as loaded) as those bytes: a quarter of the memory, the
 * same values through the codebook. Undefined where some value is not such a byte.
 */
function asBytes(images: Float32Array, codebook: Float32Array): Uint8Array | undefined {
  const bytes = wordAligned(images.length)
  for (let i = 0; i < images.length; i++) {
    const v = images[i]
    const b = Math.round(v * 255)
    if (!(b >= 0 && b <= 255 && codebook[b] === v)) return undefined
    bytes[i] = b
  }
  return bytes
}

function pixelUpload(images: Float32Array | Uint8Array): PixelUpload {
  const packed = Math.ceil(images.length / 4) * 4
  if (images instanceof Uint8Array) {
    return {
      storage: 'bytes',
      codebook: byteCodebook(),
      bytes: packed,
      build: () => {
        const bytes = wordAligned(images.length)
        bytes.set(images)
        return new Int32Array(bytes.buffer)
      },
    }
  }
  const codebook = floatCodebook()
  const bytes = asBytes(images, codebook)
  if (bytes) return { storage: 'bytes', codebook, bytes: packed, build: () => new Int32Array(bytes.buffer) }
  return { storage: 'floats', codebook, bytes: images.length * 4, build: () => images }
}

/**
 * Most buffers the split's pixels may take: CIFAR-10's 147 MiB go up in two where a binding holds 128 MiB
 * (WebGPU's default limit; lavapipe's), and each chunk costs every read a comparison.
 */
const MAX_CHUNKS = 4

const megabytes = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`

/** The gather program's settings from the CPU pipeline's, so both build the same batch. */
function gatherSpec(plan: InMemoryPlan, storage: PixelUpload['storage']): Omit<BatchGatherSpec, 'fault' | 'chunks' | 'chunkLength'> {
  const [height, width, stored] = plan.storedShape
  const options = plan.pipeline?.options
  const toChannels = options?.toChannels ?? stored
  const augment = plan.augment && options?.augment && isAugmenting(options.augment) ? options.augment : undefined
  let pca: BatchGatherSpec['pca']
  if (augment && augment.pcaNoise > 0 && options?.stats) {
    const { stats } = options
    pca = toChannels === 1 || !stats.eigenvalues || !stats.eigenvectors ? { grayStd: stats.std[0] } : { eigenvalues: stats.eigenvalues, eigenvectors: stats.eigenvectors }
  }
  return { height, width, fromChannels: stored, toChannels, count: plan.split.count, storage, augment, pca, normalize: options?.normalize }
}

/**
 * Uploads the split and returns its device batches, or the reason it cannot (then the caller keeps the
 * CPU path): the pixels must fit one buffer and one storage binding of this device.
 */
export function openDeviceBatches(plan: InMemoryPlan): DeviceBatchSource | { refused: string } {
  const backend = tf.backend() as unknown as BackendLike
  if (tf.getBackend() !== 'webgpu' || typeof backend.runWebGPUProgram !== 'function') return { refused: 'the backend is not webgpu' }
  const { split } = plan
  const [height, width, stored] = plan.storedShape
  if (split.images.length !== split.count * height * width * stored) return { refused: `the split holds ${split.images.length} pixel values, not ${split.count} images of ${height}x${width}x${stored}` }
  const upload = pixelUpload(split.images)
  const limits = backend.device.limits
  const limit = Math.min(limits.maxStorageBufferBindingSize ?? Infinity, limits.maxBufferSize ?? Infinity, deviceBatchTuning.maxBufferBytes)
  // Storage buffers one shader may bind: the batch, the codebook and the slots take three.
  const maxChunks = Math.min(MAX_CHUNKS, (limits.maxStorageBuffersPerShaderStage ?? 8) - 3)
  const chunkLength = Math.floor(limit / 4)
  const chunks = Math.ceil(upload.bytes / 4 / chunkLength)
  if (chunks > maxChunks) {
    return {
      refused: `the training split's pixels (${split.count} images, ${megabytes(upload.bytes)}) exceed ${maxChunks} of this GPU's largest storage buffers (${megabytes(limit)} each); batches are built on the CPU instead`,
    }
  }
  const spec = { ...gatherSpec(plan, upload.storage), chunks, chunkLength }
  const words = upload.build()
  const pixels = Array.from({ length: chunks }, (_, c) => {
    const part = words.subarray(c * chunkLength, (c + 1) * chunkLength)
    return part instanceof Int32Array ? tf.tensor1d(part, 'int32') : tf.tensor1d(part, 'float32')
  })
  const codebook = tf.tensor1d(upload.codebook, 'float32')
  const labels = tf.tensor1d(Int32Array.from(split.labels), 'int32')
  const imageShape: [number, number, number] = [height, width, spec.toChannels]
  const seed = plan.seed >>> 0
  return {
    count: split.count,
    imageShape,
    uploadedBytes: upload.bytes + split.count * 4 + 256 * 4,
    *batches(epoch, batchSize) {
      const order = epochOrder(split.count, plan.seed, epoch, plan.shuffle, split.labels)
      for (let first = 0; first < split.count; first += batchSize) {
        const size = Math.min(batchSize, split.count - first)
        const slots = tf.tensor1d(Int32Array.from(order.subarray(first, first + size)), 'int32')
        try {
          const uniforms = [
            { type: 'uint32', data: [seed] },
            { type: 'uint32', data: [epoch >>> 0] },
            { type: 'int32', data: [size] },
          ]
          const x = backend.runWebGPUProgram(new BatchGatherProgram({ ...spec, fault: faulty }, size), [...pixels, codebook, slots], 'float32', uniforms)
          const y = backend.runWebGPUProgram(new LabelGatherProgram(size, faulty ? { count: split.count } : null), [labels, slots], 'int32')
          yield { x: tf.engine().makeTensorFromTensorInfo(x) as tf.Tensor4D, y: tf.engine().makeTensorFromTensorInfo(y) as tf.Tensor1D, size }
        } finally {
          slots.dispose()
        }
      }
    },
    dispose() {
      tf.dispose([...pixels, codebook, labels])
    },
  }
}
