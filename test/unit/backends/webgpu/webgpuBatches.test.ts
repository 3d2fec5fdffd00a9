/**
 * The GPU input pipeline (main/backends/webgpu/gpuBatches.ts) against the CPU's (main/data/pipeline/batchSource.ts +
 * pipeline.ts), batch by batch, on whatever WebGPU adapter Dawn offers (in CI: Mesa's lavapipe). Without
 * an adapter the suite skips with the reason, unless WORKBENCH_REQUIRE_WEBGPU=1 (CI), then it fails.
 */
import { afterEach, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import '@tensorflow/tfjs-backend-cpu'
import '@tensorflow/tfjs-layers'
import type { AugmentConfig } from '../../../../shared/api/schemas'
import { TrainConfig } from '../../../../shared/api/schemas'
import { inMemoryBatchSource, type BatchSource } from '../../../../main/data/pipeline/batchSource'
import type { DataSplit } from '../../../../main/data/pipeline/dataset'
import { ImagePipeline, StatsAccumulator, toFloatChannels } from '../../../../main/data/pipeline/imagePipeline'
import { createRandom } from '../../../../main/data/pipeline/seededRandom'
import { deviceBatchTuning, openDeviceBatches, setGpuDataFault, type DeviceBatchSource } from '../../../../main/backends/webgpu/gpuBatches'
import { trainModel } from '../../../../main/engine/trainingLoop/trainer'
import type { TrainOptions } from '../../../../main/engine/trainingLoop/trainingContract'
import { registerWebGpuKernels } from '../../../../main/backends/webgpu/kernels'
import { openWebGpu as openHarnessWebGpu } from '../../../helpers/webgpuKernelHarness'

/** The harness's WebGPU backend, with our convolution and matmul kernels over tfjs's, as the rung runs. */
async function openWebGpu(): Promise<string | null> {
  const unavailable = await openHarnessWebGpu()
  if (!unavailable) registerWebGpuKernels()
  return unavailable
}

const unavailable = await openWebGpu()
if (unavailable) {
  if (process.env.WORKBENCH_REQUIRE_WEBGPU === '1') throw new Error(`WORKBENCH_REQUIRE_WEBGPU=1 but ${unavailable}`)
  console.warn(`webgpuBatches.test: skipped, ${unavailable}`)
}

const NO_AUGMENT: AugmentConfig = { cropPadding: 0, flip: false, brightness: 0, contrast: 0, pcaNoise: 0 }

function byteSplit(count: number, [h, w, c]: [number, number, number], seed: number): DataSplit {
  const random = createRandom(seed)
  return {
    count,
    images: Uint8Array.from({ length: count * h * w * c }, () => Math.floor(random() * 256)),
    labels: Uint8Array.from({ length: count }, () => Math.floor(random() * 10)),
  }
}

function statsOf(split: DataSplit, [h, w, c]: [number, number, number], channels: number) {
  const accumulator = new StatsAccumulator(channels)
  const scratch = new Float32Array(h * w * channels)
  const pixels = h * w * c
  for (let i = 0; i < split.count; i++) {
    toFloatChannels(split.images.subarray(i * pixels, (i + 1) * pixels), c, channels, scratch)
    accumulator.add(scratch)
  }
  return accumulator.result()
}

/** A training source as datasetRegistry builds one: pipeline with the given augmentation and normalization. */
function trainingSource(split: DataSplit, shape: [number, number, number], toChannels: number, augment: AugmentConfig, normalize: boolean): BatchSource {
  const stats = statsOf(split, shape, toChannels)
  const pipeline = new ImagePipeline({
    fromChannels: shape[2],
    toChannels,
    height: shape[0],
    width: shape[1],
    augment,
    normalize: normalize ? { mean: stats.mean, std: stats.std } : undefined,
    stats,
  })
  return inMemoryBatchSource(split, shape, { seed: 1234, pipeline, augment: true })
}

async function cpuBatches(source: BatchSource, epoch: number, batchSize: number) {
  const out: { images: Float32Array; labels: Int32Array; size: number }[] = []
  for await (const batch of source.batches(epoch, batchSize)) out.push(batch)
  return out
}

async function deviceBatches(device: DeviceBatchSource, epoch: number, batchSize: number) {
  const out: { images: Float32Array; labels: Int32Array; size: number; shape: number[] }[] = []
  for (const batch of device.batches(epoch, batchSize)) {
    const [images, labels] = await Promise.all([batch.x.data() as Promise<Float32Array>, batch.y.data() as Promise<Int32Array>])
    out.push({ images, labels, size: batch.size, shape: batch.x.shape })
    tf.dispose([batch.x, batch.y])
  }
  return out
}

function open(source: BatchSource): DeviceBatchSource {
  const opened = openDeviceBatches(source.inMemory!)
  if ('refused' in opened) throw new Error(opened.refused)
  return opened
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length)
  let diff = 0
  for (let i = 0; i < a.length; i++) diff = Math.max(diff, Number.isNaN(a[i] - b[i]) ? Infinity : Math.abs(a[i] - b[i]))
  return diff
}

/** Every batch of one epoch: same sizes, same labels, pixels within `tol` (0: bit for bit). */
async function expectSameEpoch(source: BatchSource, epoch: number, batchSize: number, tol: number) {
  const device = open(source)
  try {
    const cpu = await cpuBatches(source, epoch, batchSize)
    const gpu = await deviceBatches(device, epoch, batchSize)
    expect(gpu.map((b) => b.size)).toEqual(cpu.map((b) => b.size))
    for (let i = 0; i < cpu.length; i++) {
      expect(gpu[i].shape).toEqual([cpu[i].size, ...source.imageShape])
      expect(Array.from(gpu[i].labels)).toEqual(Array.from(cpu[i].labels))
      if (tol === 0) expect(Array.from(gpu[i].images)).toEqual(Array.from(cpu[i].images))
      else expect(maxAbsDiff(gpu[i].images, cpu[i].images)).toBeLessThanOrEqual(tol)
    }
    return { cpu, gpu, device }
  } finally {
    device.dispose()
  }
}

describe.skipIf(!!unavailable)('webgpu input pipeline: batches built on the GPU equal the CPU pipeline', () => {
  afterEach(() => setGpuDataFault(false))

  it('MNIST-like floats (bytes / 255, no pipeline) go up as bytes and come back bit for bit, last batch short', async () => {
    const bytes = byteSplit(37, [6, 5, 1], 1)
    const split = { ...bytes, images: Float32Array.from(bytes.images, (b) => b / 255) }
    const source = inMemoryBatchSource(split, [6, 5, 1], { seed: 9 })
    const { cpu, device } = await expectSameEpoch(source, 2, 16, 0)
    expect(cpu.map((b) => b.size)).toEqual([16, 16, 5])
    // A quarter of the floats' memory: 37 x 30 bytes rounded up to a word, the labels as int32, the codebook.
    expect(device.uploadedBytes).toBe(Math.ceil((37 * 30) / 4) * 4 + 37 * 4 + 1024)
  }, 120_000)

  it('floats that are not bytes go up as floats, unchanged', async () => {
    const random = createRandom(3)
    const split = { count: 20, images: Float32Array.from({ length: 20 * 16 }, () => random()), labels: Uint8Array.from({ length: 20 }, (_, i) => i % 10) }
    const source = inMemoryBatchSource(split, [4, 4, 1], { seed: 2 })
    const { device } = await expectSameEpoch(source, 1, 8, 0)
    expect(device.uploadedBytes).toBe(20 * 16 * 4 + 20 * 4 + 1024)
  }, 120_000)

  it('bytes, gray to 3 channels, normalized: equal to float rounding', async () => {
    const split = byteSplit(21, [5, 7, 1], 4)
    await expectSameEpoch(trainingSource(split, [5, 7, 1], 3, NO_AUGMENT, true), 1, 8, 2e-6)
  }, 120_000)

  it('RGB bytes to gray (luma), normalized', async () => {
    const split = byteSplit(19, [4, 6, 3], 5)
    await expectSameEpoch(trainingSource(split, [4, 6, 3], 1, NO_AUGMENT, true), 3, 8, 2e-6)
  }, 120_000)

  it('random crop and flip: the same offsets and flips as the CPU, bit for bit', async () => {
    const split = byteSplit(40, [8, 8, 3], 6)
    const { cpu } = await expectSameEpoch(trainingSource(split, [8, 8, 3], 3, { ...NO_AUGMENT, cropPadding: 2, flip: true }, false), 1, 16, 0)
    // The augmentation happened: some image differs from its stored pixels (a zero border or a mirror).
    const plain = await cpuBatches(inMemoryBatchSource(split, [8, 8, 3], { seed: 1234, pipeline: new ImagePipeline({ fromChannels: 3, toChannels: 3, height: 8, width: 8 }) }), 1, 16)
    expect(maxAbsDiff(cpu[0].images, plain[0].images)).toBeGreaterThan(0.1)
  }, 120_000)

  it('crop, flip, brightness and contrast with normalization, over two epochs', async () => {
    const split = byteSplit(30, [6, 6, 3], 7)
    const source = trainingSource(split, [6, 6, 3], 3, { ...NO_AUGMENT, cropPadding: 1, flip: true, brightness: 0.2, contrast: 0.3 }, true)
    for (const epoch of [1, 2]) await expectSameEpoch(source, epoch, 12, 1e-5)
  }, 120_000)

  it('PCA noise (RGB eigenvectors) and gray PCA noise', async () => {
    const rgb = byteSplit(24, [5, 5, 3], 8)
    await expectSameEpoch(trainingSource(rgb, [5, 5, 3], 3, { ...NO_AUGMENT, pcaNoise: 0.5, flip: true }, true), 1, 10, 1e-5)
    const gray = byteSplit(24, [5, 5, 1], 9)
    await expectSameEpoch(trainingSource(gray, [5, 5, 1], 1, { ...NO_AUGMENT, pcaNoise: 0.5 }, false), 1, 10, 1e-5)
  }, 120_000)

  it('a batch of more images than one dispatch dimension holds (65535 workgroups)', async () => {
    const count = 70_000
    const split = byteSplit(count, [2, 2, 1], 10)
    const source = trainingSource(split, [2, 2, 1], 1, { ...NO_AUGMENT, flip: true }, false)
    await expectSameEpoch(source, 1, count, 0)
  }, 300_000)

  it('a broken gather (the fault hook) is caught', async () => {
    const split = byteSplit(20, [4, 4, 1], 11)
    const source = trainingSource(split, [4, 4, 1], 1, NO_AUGMENT, false)
    setGpuDataFault(true)
    await expect(expectSameEpoch(source, 1, 8, 1e-5)).rejects.toThrow()
  }, 120_000)

  it('a split larger than one storage buffer goes up in chunks, images straddling them, bit for bit', async () => {
    // 6x5x3 bytes = 90 per image, 23 images = 2070 bytes: 100-byte buffers would take 21; 700-byte ones take 3.
    const split = byteSplit(23, [6, 5, 3], 15)
    deviceBatchTuning.maxBufferBytes = 700
    try {
      await expectSameEpoch(trainingSource(split, [6, 5, 3], 3, { ...NO_AUGMENT, cropPadding: 1, flip: true }, false), 1, 10, 0)
      // Floats take four times the bytes: 8280 in 3 buffers of 3000.
      deviceBatchTuning.maxBufferBytes = 3000
      const random = createRandom(16)
      const floats = { count: 23, images: Float32Array.from({ length: 23 * 90 }, () => random()), labels: split.labels }
      const opened = open(inMemoryBatchSource(floats, [6, 5, 3], { seed: 3 }))
      expect(opened.uploadedBytes).toBe(23 * 90 * 4 + 23 * 4 + 1024)
      opened.dispose()
      await expectSameEpoch(inMemoryBatchSource(floats, [6, 5, 3], { seed: 3 }), 1, 10, 0)
    } finally {
      deviceBatchTuning.maxBufferBytes = Infinity
    }
  }, 120_000)

  it('refuses a split larger than the storage buffers one shader may bind, saying so', () => {
    const split = byteSplit(10, [4, 4, 3], 12)
    const source = trainingSource(split, [4, 4, 3], 3, NO_AUGMENT, false)
    // 480 bytes of pixels: 4 buffers of 120 bytes hold them, 4 of 116 do not.
    deviceBatchTuning.maxBufferBytes = 116
    try {
      const opened = openDeviceBatches(source.inMemory!)
      expect('refused' in opened && opened.refused).toMatch(/training split's pixels \(10 images, 0\.0 MiB\) exceed 4 of this GPU's largest storage buffers \(0\.0 MiB each\); batches are built on the CPU instead/)
      deviceBatchTuning.maxBufferBytes = 120
      const fits = openDeviceBatches(source.inMemory!)
      expect('refused' in fits).toBe(false)
      if (!('refused' in fits)) fits.dispose()
    } finally {
      deviceBatchTuning.maxBufferBytes = Infinity
    }
  })
})

describe.skipIf(!!unavailable)('webgpu training with the GPU input pipeline', () => {
  const shape: [number, number, number] = [8, 8, 3]

  function tinyNet(): tfl.LayersModel {
    const model = tfl.sequential()
    model.add(tfl.layers.conv2d({ inputShape: shape, filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }))
    model.add(tfl.layers.flatten())
    model.add(tfl.layers.dense({ units: 10, kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }))
    return model
  }

  async function train(gpuData: boolean, notes: string[] = []) {
    const split = byteSplit(44, shape, 13)
    const source = trainingSource(split, shape, 3, { ...NO_AUGMENT, cropPadding: 1, flip: true }, true)
    const test = inMemoryBatchSource(byteSplit(8, shape, 14), shape, { seed: 0, shuffle: false, pipeline: new ImagePipeline({ fromChannels: 3, toChannels: 3, height: 8, width: 8 }) })
    const schedule = { ...TrainConfig.parse({ arch: 'lenet-relu', dataset: 'mnist', epochs: 2, batchSize: 16, learningRate: 0.05 }), lrSchedule: 'constant' as const }
    const options: TrainOptions = { epochs: 2, batchSize: 16, optimizer: 'momentum', schedule, weightDecay: 0, classes: 10, imageShape: shape, gpuData }
    const model = tinyNet()
    const losses: number[] = []
    const outcome = await trainModel(model, { train: source, test }, options, {
      onBatch: (b) => losses.push(b.loss),
      onEpoch: () => undefined,
      shouldStop: () => false,
      onNote: (message) => notes.push(message),
    })
    const weights = await Promise.all(model.getWeights().map(async (w) => Array.from(await w.data())))
    model.dispose()
    return { outcome, losses, weights }
  }

  it('ends at the CPU input pipeline\'s weights (within 1e-4) after two epochs of three batches', async () => {
    const cpu = await train(false)
    const gpu = await train(true)
    expect(cpu.outcome.inputPipeline).toBe('cpu')
    expect(gpu.outcome.inputPipeline).toBe('gpu')
    expect(gpu.losses).toHaveLength(6)
    for (let i = 0; i < cpu.losses.length; i++) expect(Math.abs(gpu.losses[i] - cpu.losses[i])).toBeLessThan(1e-4)
    for (let w = 0; w < cpu.weights.length; w++) {
      const scale = Math.max(1e-3, ...cpu.weights[w].map(Math.abs))
      const diff = Math.max(...cpu.weights[w].map((v, i) => Math.abs(v - gpu.weights[w][i])))
      expect(diff / scale).toBeLessThan(1e-4)
    }
    // The weights moved: the comparison is not between two untrained nets.
    const initial = tinyNet()
    const moved = Math.max(...(await initial.getWeights()[0].data()).map((v, i) => Math.abs(v - cpu.weights[0][i])))
    initial.dispose()
    expect(moved).toBeGreaterThan(1e-3)
  }, 300_000)

  it('a split too large for the GPU falls back to the CPU pipeline, with the reason, and trains the same', async () => {
    const cpu = await train(false)
    const notes: string[] = []
    deviceBatchTuning.maxBufferBytes = 1000
    try {
      const refused = await train(true, notes)
      expect(refused.outcome.inputPipeline).toBe('cpu')
      expect(notes).toEqual([expect.stringMatching(/^input pipeline: the training split's pixels \(44 images.*built on the CPU instead/)])
      expect(refused.weights).toEqual(cpu.weights)
    } finally {
      deviceBatchTuning.maxBufferBytes = Infinity
    }
  }, 300_000)

  it('a broken gather changes the training', async () => {
    const good = await train(true)
    setGpuDataFault(true)
    try {
      const broken = await train(true)
      expect(Math.max(...good.losses.map((l, i) => Math.abs(l - broken.losses[i])))).toBeGreaterThan(1e-3)
    } finally {
      setGpuDataFault(false)
    }
  }, 300_000)
})
