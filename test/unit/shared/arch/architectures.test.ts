import { describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import { ARCHITECTURE_IDS, getArchitecture, getCanonicalArchitecture, type ArchitectureId, type ArchitectureSpec } from '../../../../shared/arch/specs'
import { analyzeModel, convOutputSize } from '../../../../shared/arch/layerMath'
import { countTrainableParams, createModel } from '../../../../main/engine/model/modelFactory'
import { PYTORCH_REFERENCE } from '../../../helpers/notesReference'

/** Small enough to build and check quickly, large enough that every layer has a size of at least 1. */
const SMALL: Record<ArchitectureId, { inputSize: number; width: number }> = {
  lenet5: { inputSize: 20, width: 0.5 },
  'lenet-relu': { inputSize: 20, width: 0.5 },
  'bn-lenet': { inputSize: 20, width: 0.5 },
  alexnet: { inputSize: 67, width: 0.125 },
  vgg11: { inputSize: 32, width: 0.125 },
  vgg13: { inputSize: 32, width: 0.125 },
  vgg16: { inputSize: 32, width: 0.125 },
  vgg19: { inputSize: 32, width: 0.125 },
  googlenet: { inputSize: 33, width: 0.125 },
  resnet18: { inputSize: 33, width: 0.125 },
  resnet34: { inputSize: 32, width: 0.125 },
  resnet50: { inputSize: 32, width: 0.125 },
}

/** Builds the spec in TensorFlow.js and checks every inspector row against the layer of the same name. */
function expectTfMatchesInspector(spec: ArchitectureSpec, initializer: 'seeded' | 'zeros'): number {
  const info = analyzeModel(spec, spec.input)
  expect(info.problems).toEqual([])
  const model = createModel(spec, spec.input, 1, { initializer })
  try {
    for (const row of info.layers) {
      expect([row.name, (model.getLayer(row.name).outputShape as number[]).slice(1)]).toEqual([row.name, row.outputShape])
    }
    expect(countTrainableParams(model)).toBe(info.totalParams)
    expect(model.outputs[0].shape).toEqual([null, ...info.outputShape!])
    const nonTrainable = model.nonTrainableWeights.reduce((sum, w) => sum + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0)
    expect(nonTrainable).toBe(info.nonTrainableParams)
    return info.totalParams
  } finally {
    model.dispose()
  }
}

describe('layer math', () => {
  it('follows floor((n + 2p - k) / s) + 1', () => {
    expect(convOutputSize(28, 5, 2, 1)).toBe(28)
    expect(convOutputSize(224, 11, 1, 4)).toBe(54)
    expect(convOutputSize(7, 3, 0, 2)).toBe(3)
  })

  it('gives the notes\u2019 LeNet-5 its 61,706 parameters, 16x5x5 feature maps and receptive fields', () => {
    const spec = getArchitecture('lenet5')
    const info = analyzeModel(spec, spec.input)
    expect(info.totalParams).toBe(61706)
    expect(info.layers.map((l) => l.params).filter((p) => p > 0)).toEqual([156, 2416, 48120, 10164, 850])
    expect(info.layers[5].outputShape).toEqual([5, 5, 16])
    expect(info.outputShape).toEqual([10])
    // conv5 (5), pool2 (+1), conv5 (+4*2), pool2 (+1*2): each last pooled unit sees 16x16 pixels, 4 apart.
    expect(info.layers.map((l) => l.receptiveField).slice(0, 6)).toEqual([5, 5, 6, 14, 14, 16])
    expect(info.layers[5].jump).toBe(4)
    expect(info.layers[0].macs).toBe(28 * 28 * 6 * 25)
    expect(info.layers[0].activationBytes).toBe(28 * 28 * 6 * 4)
  })

  it('reports an input too small for AlexNet at the layer where the size drops below 1, without throwing', () => {
    const spec = getArchitecture('alexnet', { inputSize: 28 })
    const info = analyzeModel(spec, spec.input)
    expect(info.problems).toHaveLength(1)
    const failing = info.layers.find((l) => l.problem)!
    expect(failing.name).toBe('conv2.pool1')
    expect(failing.problem).toMatch(/smaller than this 3x3 window/)
    expect(failing.outputShape).toBeNull()
    expect(info.layers.at(-1)!.outputShape).toBeNull()
    expect(info.outputShape).toBeNull()
    expect(() => createModel(spec, spec.input, 1)).toThrow(/conv2\.pool1/)
  })

  it('represents Inception branches and residual shortcuts, and switches shortcuts off', () => {
    const google = analyzeModel(getArchitecture('googlenet'), getArchitecture('googlenet').input)
    const concat = google.layers.find((l) => l.name === 'b3.inception1.concat')!
    expect(concat.inputs).toHaveLength(4)
    expect(concat.outputShape).toEqual([12, 12, 256])
    const resnet = getArchitecture('resnet18')
    const withShortcuts = analyzeModel(resnet, resnet.input)
    expect(withShortcuts.layers.filter((l) => l.op.kind === 'add')).toHaveLength(8)
    expect(withShortcuts.layers.find((l) => l.name === 'b3.res1.shortcut.conv1')?.outputShape).toEqual([12, 12, 128])
    const plain = getArchitecture('resnet18', { knobs: { residual: false } })
    const plainInfo = analyzeModel(plain, plain.input)
    expect(plainInfo.layers.filter((l) => l.op.kind === 'add')).toHaveLength(0)
    // The three 1x1 projections go with the shortcuts: 64*128+128 + 128*256+256 + 256*512+512.
    expect(withShortcuts.totalParams - plainInfo.totalParams).toBe(8320 + 33024 + 131584)
  })
})

describe.each(ARCHITECTURE_IDS)('%s', (id) => {
  it('matches the notes\u2019 PyTorch code: trainable parameters and output shape, in the inspector and in TensorFlow.js', () => {
    const spec = getCanonicalArchitecture(id)
    const reference = PYTORCH_REFERENCE[id]
    expect(spec.input.height).toBe(reference.inputSize)
    // Zeros instead of random weights: VGG-19's 140 M parameters would otherwise take seconds to draw.
    expect(expectTfMatchesInspector(spec, 'zeros')).toBe(reference.params)
    expect(analyzeModel(spec, spec.input).outputShape).toEqual([reference.output])
  })

  it('matches the inspector layer by layer at a small size and width, with every knob flipped', () => {
    const { inputSize, width } = SMALL[id]
    expectTfMatchesInspector(getArchitecture(id, { inputSize, classes: 7, channels: 3, knobs: { width } }), 'seeded')
    const flipped = getArchitecture(id, {
      inputSize,
      classes: 4,
      knobs: { width, activation: 'leakyRelu', pooling: 'avg', batchNorm: true, dropout: 0.3, lrn: true, residual: false },
    })
    expectTfMatchesInspector(flipped, 'seeded')
    expect(tf.memory().numTensors).toBeLessThan(50)
  })
})
