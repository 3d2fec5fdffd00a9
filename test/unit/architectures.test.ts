import { describe, expect, it } from 'vitest'
import '@tensorflow/tfjs-backend-cpu'
import { ARCHITECTURE_IDS, getArchitecture } from '../../shared/arch/specs'
import { analyzeModel, convOutputSize } from '../../shared/arch/layerMath'
import { countTrainableParams, createModel } from '../../main/engine/modelFactory'

describe('layer math', () => {
  it('follows floor((n + 2p - k) / s) + 1', () => {
    expect(convOutputSize(28, 5, 2, 1)).toBe(28)
    expect(convOutputSize(224, 11, 1, 4)).toBe(54)
    expect(convOutputSize(7, 3, 0, 2)).toBe(3)
  })

  it('gives the notes\u2019 LeNet-5 its 61,706 parameters and 16x5x5 feature maps', () => {
    const spec = getArchitecture('lenet5')
    const info = analyzeModel(spec, spec.input)
    expect(info.totalParams).toBe(61706)
    expect(info.layers.map((l) => l.params).filter((p) => p > 0)).toEqual([156, 2416, 48120, 10164, 850])
    expect(info.layers[5].outputShape).toEqual([5, 5, 16])
    expect(info.outputShape).toEqual([10])
    // conv5 -> pool2 -> conv5 -> pool2: 1 + 4 + 1*2... the textbook receptive field of the last pooled unit is 16.
    expect(info.layers[5].receptiveField).toBe(16)
  })
})

describe.each(ARCHITECTURE_IDS)('%s built with TensorFlow.js', (id) => {
  const spec = getArchitecture(id)
  it('has the layer shapes and parameter count the inspector math predicts', () => {
    const model = createModel(spec, spec.input, 1)
    const info = analyzeModel(spec, spec.input)
    expect(countTrainableParams(model)).toBe(info.totalParams)
    expect(model.outputs[0].shape).toEqual([null, ...info.outputShape])
    const tfShapes = model.layers.filter((l) => l.getClassName() !== 'ZeroPadding2D').map((l) => (l.outputShape as number[]).slice(1))
    expect(tfShapes).toEqual(info.layers.map((l) => l.outputShape))
    model.dispose()
  })
})
