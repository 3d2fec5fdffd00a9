import { describe, expect, it } from 'vitest'
import { layerKinds } from '../../../main/predict/layerKinds'
import { TrainConfig } from '../../../shared/api/schemas'

const digits = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']

describe('layerKinds', () => {
  it("names a lenet-relu run's layers from its spec, never by tfjs class (InputConv2D)", () => {
    const kindOf = layerKinds({ config: TrainConfig.parse({ arch: 'lenet-relu', dataset: 'mnist', epochs: 1, batchSize: 64, learningRate: 0.01 }), classNames: digits }, 1)
    const conv1 = kindOf('conv1', 'InputConv2D', [28, 28, 6])
    expect(conv1).toMatch(/^conv 5x5/)
    expect(conv1).not.toContain('InputConv2D')
    expect(kindOf('act1', 'Activation', [28, 28, 6])).toBe('ReLU')
    expect(kindOf('pool1', 'MaxPooling2D', [14, 14, 6])).toMatch(/pool 2x2/)
    expect(kindOf('dense3', 'Dense', [10])).toBe('dense \u2192 10')
  })

  it('falls back to a readable kind when the model does not match the spec or the architecture is unknown', () => {
    const kindOf = layerKinds({ config: TrainConfig.parse({ arch: 'lenet-relu', dataset: 'mnist', epochs: 1, batchSize: 64, learningRate: 0.01 }), classNames: digits }, 1)
    // conv1 with 2 filters is not the spec's 6-filter conv1.
    expect(kindOf('conv1', 'InputConv2D', [8, 8, 2])).toBe('conv')
    const unknown = layerKinds({ config: { ...TrainConfig.parse({ arch: 'lenet-relu', dataset: 'mnist', epochs: 1, batchSize: 64, learningRate: 0.01 }), arch: 'from-elsewhere' as never }, classNames: digits }, 1)
    expect(unknown('c', 'InputConv2D', [8, 8, 2])).toBe('conv')
    expect(unknown('z', 'SomethingNew2D', [8])).toBe('somethingnew')
  })
})
