import { describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import '@tensorflow/tfjs-backend-cpu'
import sharp from 'sharp'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { saveModel } from '../../../main/engine/model/modelFiles'
import { Inspector, receptiveFields } from '../../../main/predict/inspector'
import { Predictor } from '../../../main/predict/predictor'
import { RunStore } from '../../../main/storage/runStore'
import { Inspection } from '../../../shared/api/inspect'
import { TrainConfig } from '../../../shared/api/schemas'
import { getArchitecture } from '../../../shared/arch/specs'
import { analyzeModel } from '../../../shared/arch/layerMath'
import { createModel } from '../../../main/engine/model/modelFactory'
import { unitWindow } from '../../../shared/arch/receptiveField'

/**
 * 8x8 grayscale in; conv1 (3x3, 2 filters): filter 0 is the identity (centre weight 1), filter 1 its
 * negation; then global average pooling and a dense layer: class 0 = mean brightness, class 1 = minus it.
 */
function tinyModel(): tfl.LayersModel {
  const input = tfl.input({ shape: [8, 8, 1], name: 'input' })
  const conv = tfl.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same', name: 'conv1', useBias: false }).apply(input) as tfl.SymbolicTensor
  const pooled = tfl.layers.globalAveragePooling2d({ name: 'gap1' }).apply(conv) as tfl.SymbolicTensor
  const dense = tfl.layers.dense({ units: 2, useBias: false, name: 'dense1' }).apply(pooled) as tfl.SymbolicTensor
  const model = tfl.model({ inputs: input, outputs: dense })
  const kernel = new Float32Array(3 * 3 * 1 * 2)
  kernel[4 * 2 + 0] = 1 // centre tap, filter 0
  kernel[4 * 2 + 1] = -1 // centre tap, filter 1
  model.getLayer('conv1').setWeights([tf.tensor4d(kernel, [3, 3, 1, 2])])
  // Class 0 reads filter 0 (brightness) x 10, class 1 filter 1 (minus brightness) x 10.
  model.getLayer('dense1').setWeights([tf.tensor2d([10, 0, 0, 10], [2, 2])])
  return model
}

/** A white square in the top-left quarter of a black 8x8 image. */
async function squareImage(): Promise<Buffer> {
  const pixels = Buffer.alloc(64)
  for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) pixels[y * 8 + x] = 255
  return sharp(pixels, { raw: { width: 8, height: 8, channels: 1 } }).png().toBuffer()
}

async function setup() {
  const store = new RunStore(await mkdtemp(join(tmpdir(), 'inspector-')))
  const runId = store.newRunId()
  await saveModel(tinyModel(), join(store.runDir(runId), 'model'))
  await store.save({
    runId,
    config: TrainConfig.parse({ arch: 'lenet5', dataset: 'folder:/photos', epochs: 1, batchSize: 8, learningRate: 0.1 }),
    status: 'completed',
    createdAt: new Date().toISOString(),
    classNames: ['bright', 'dark'],
    data: { imageShape: [8, 8, 1], train: 10, validation: 0, test: 2, mean: [0.5], std: [0.5], normalized: false, skipped: 0 },
  })
  return { inspector: new Inspector(new Predictor(store)), runId }
}

describe('Inspector on a tiny model with known weights', () => {
  it('returns feature maps, filters, histograms, receptive fields and an occlusion map that match the weights', async () => {
    const { inspector, runId } = await setup()
    const result = Inspection.parse(await inspector.inspect(runId, 'square.png', await squareImage(), { maxChannels: 16, occlusion: true }))

    // 16 of 64 pixels are white: mean brightness 0.25, logits 2.5 and -2.5.
    expect(result.top[0]!.label).toBe('bright')
    expect(result.top[0]!.probability).toBeCloseTo(1 / (1 + Math.exp(-5)), 4)

    const conv = result.layers.find((l) => l.name === 'conv1')!
    expect(conv.outputShape).toEqual([8, 8, 2])
    expect(conv.maps).toHaveLength(2)
    // Filter 0 is the identity: its map is the image (white square = 255, the rest 0); filter 1 inverted.
    const [identity, negated] = conv.maps
    expect(identity!.pixels[0]).toBe(255)
    expect(identity!.pixels[63]).toBe(0)
    expect(negated!.pixels[0]).toBe(0)
    expect(negated!.pixels[63]).toBe(255)
    expect(identity).toMatchObject({ min: 0, max: 1 })
    // The histogram counts every activation: 8 * 8 * 2 values, range -1..1.
    expect(conv.histogram.counts.reduce((a, b) => a + b, 0)).toBe(128)
    expect(conv.histogram).toMatchObject({ min: -1, max: 1 })
    expect(conv.receptiveField).toEqual({ size: 3, jump: 1, start: 0 })

    // Filters as images: 128 is zero, the centre tap is +1 (255) in filter 0 and -1 (1) in filter 1.
    expect(result.filters).toMatchObject({ layer: 'conv1', kernelSize: 3, total: 2 })
    expect(result.filters!.images[0]!.pixels[4]).toBe(255)
    expect(result.filters!.images[0]!.pixels[0]).toBe(128)
    expect(result.filters!.images[1]!.pixels[4]).toBe(1)

    // Gray over the white square darkens the image: 'bright' drops. Gray over black brightens it: a gain.
    const occlusion = result.occlusion!
    expect(occlusion.classIndex).toBe(0)
    expect(occlusion.values).toHaveLength(occlusion.width * occlusion.height)
    const topLeft = occlusion.values[0]!
    const bottomRight = occlusion.values[occlusion.values.length - 1]!
    expect(topLeft).toBeGreaterThan(0)
    expect(bottomRight).toBeLessThan(0)

    // Grad-CAM at conv1: d(logit 0)/d(map k) = dense weight / 64 (the average pooling), so filter 0 weighs
    // 10/64 and filter 1 nothing: 10/64 on the white square (filter 0 = the image), 0 elsewhere.
    const cam = result.gradCam!
    expect(cam).toMatchObject({ layer: 'conv1', width: 8, height: 8, classIndex: 0 })
    expect(cam.values[0]).toBeCloseTo(10 / 64, 5)
    expect(cam.values[3 * 8 + 3]).toBeCloseTo(10 / 64, 5)
    expect(cam.values[63]).toBe(0)
    expect(cam.values.filter((v) => v > 0)).toHaveLength(16)
  })

  it('leaves out the occlusion map when asked and caps the channels', async () => {
    const { inspector, runId } = await setup()
    const result = await inspector.inspect(runId, 'square.png', await squareImage(), { maxChannels: 1, occlusion: false })
    expect(result.occlusion).toBeNull()
    expect(result.layers.find((l) => l.name === 'conv1')!.maps).toHaveLength(1)
  })

  it('pages through the channels: from firstChannel on, and none past the last', async () => {
    const { inspector, runId } = await setup()
    const second = await inspector.inspect(runId, 'square.png', await squareImage(), { maxChannels: 1, firstChannel: 1, occlusion: false, gradCam: false })
    expect(second.gradCam).toBeNull()
    const [map] = second.layers.find((l) => l.name === 'conv1')!.maps
    // Channel 1 is the negated image: black where the square is white.
    expect(map).toMatchObject({ channel: 1 })
    expect(map!.pixels[0]).toBe(0)
    expect(map!.pixels[63]).toBe(255)
    const past = await inspector.inspect(runId, 'square.png', await squareImage(), { maxChannels: 16, firstChannel: 2, occlusion: false })
    expect(past.layers.find((l) => l.name === 'conv1')!.maps).toEqual([])
  })
})

describe('receptive fields of a built architecture', () => {
  it('agree with the shared layer math for LeNet', () => {
    const spec = getArchitecture('lenet-relu')
    const model = createModel(spec, spec.input, 1, { initializer: 'zeros' })
    const fields = receptiveFields(model)
    const info = analyzeModel(spec, spec.input)
    for (const row of info.layers) {
      const field = fields.get(row.name)
      if (field && row.outputShape?.length === 3) {
        expect(field.size, row.name).toBe(row.receptiveField)
        expect(field.jump, row.name).toBe(row.jump)
      }
    }
    // LeNet's conv1 pads 2 with a 5x5 kernel: unit (0, 0) looks at rows -2..2.
    expect(unitWindow(fields.get('conv1')!, 0, 0)).toEqual({ top: -2, left: -2, size: 5 })
  })
})

describe('Grad-CAM on every architecture of the zoo', () => {
  const sizes: Record<string, number> = { alexnet: 67 }
  it.each(['lenet5', 'lenet-relu', 'bn-lenet', 'alexnet', 'vgg11', 'googlenet', 'resnet18', 'resnet50'] as const)('%s: a map at the last spatial layer the score depends on alone', async (id) => {
    await tf.setBackend('cpu')
    const inputSize = sizes[id] ?? 32
    const spec = getArchitecture(id, { inputSize, classes: 3, knobs: { width: 0.125 } })
    const model = createModel(spec, spec.input, 1)
    const { gradCam } = await import('../../../main/predict/gradCam')
    const x = tf.randomUniform([1, inputSize, inputSize, 1], 0, 1, 'float32', 3) as tf.Tensor4D
    const cam = (await gradCam(model, x, 1))!
    expect(cam).not.toBeNull()
    const layer = model.getLayer(cam.layer)
    const [, h, w] = layer.outputShape as number[]
    expect([cam.height, cam.width]).toEqual([h, w])
    expect(Math.min(h!, w!)).toBeGreaterThanOrEqual(2)
    expect(cam.values).toHaveLength(h! * w!)
    expect(cam.values.every((v) => Number.isFinite(v) && v >= 0)).toBe(true)
    // Nothing after that layer is spatial and at least 2x2 (it is the last one), padding aside.
    const after = model.layers.slice(model.layers.indexOf(layer) + 1)
    const spatialAfter = after.filter((l) => {
      const shape = l.outputShape as number[]
      return shape.length === 4 && shape[1]! >= 2 && shape[2]! >= 2 && l.getClassName() !== 'ZeroPadding2D'
    })
    if (id !== 'resnet18' && id !== 'resnet50') expect(spatialAfter).toEqual([])
    console.log(`${id}: Grad-CAM at ${cam.layer} (${h}x${w})`)
    tf.dispose([x])
    model.dispose()
  }, 60_000)
})
