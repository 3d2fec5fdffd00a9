import { describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { getArchitecture } from '../../../../shared/arch/specs'
import { createModel } from '../../../../main/engine/model/modelFactory'
import { loadModel, saveModel } from '../../../../main/engine/model/modelFiles'
import { LocalResponseNorm } from '../../../../main/engine/model/layers/localResponseNorm'

describe('zoo layers', () => {
  it('LocalResponseNorm follows PyTorch: a / (k + alpha/n * sum of squares over n channels)^beta', () => {
    const x = tf.tensor4d([1, 2, 3, 4, 5, -1, 0.5, 2], [1, 1, 1, 8])
    const layer = new LocalResponseNorm({ size: 5, alpha: 1e-1, beta: 0.75, k: 2 })
    const got = (layer.apply(x) as tf.Tensor).dataSync()
    const a = x.dataSync()
    for (let c = 0; c < 8; c++) {
      let sum = 0
      for (let j = Math.max(0, c - 2); j <= Math.min(7, c + 2); j++) sum += a[j] * a[j]
      expect(got[c]).toBeCloseTo(a[c] / Math.pow(2 + (1e-1 / 5) * sum, 0.75), 5)
    }
  })

  it('saves and loads a model with LRN and the image-reading convolution, predicting the same', async () => {
    const spec = getArchitecture('alexnet', { inputSize: 67, knobs: { width: 0.0625, lrn: true } })
    const model = createModel(spec, spec.input, 3)
    const x = tf.randomUniform([2, 67, 67, 1], 0, 1, 'float32', 5)
    const before = (model.predict(x) as tf.Tensor).dataSync()
    const folder = join(await mkdtemp(join(tmpdir(), 'zoo-layers-')), 'model')
    await saveModel(model, folder)
    const loaded = await loadModel(folder)
    const after = (loaded.predict(x) as tf.Tensor).dataSync()
    expect(Array.from(after).map((v, i) => v - before[i]).every((d) => Math.abs(d) < 1e-5)).toBe(true)
    expect(loaded.layers.map((l) => l.getClassName())).toContain('LocalResponseNorm')
    expect(loaded.layers.map((l) => l.getClassName())).toContain('InputConv2D')
  })

  it('keeps the seeded initial weights of the notes\u2019 LeNet: same seed, same weights', () => {
    const spec = getArchitecture('lenet-relu')
    const a = createModel(spec, spec.input, 1).getWeights().map((w) => w.dataSync()[0])
    const b = createModel(spec, spec.input, 1).getWeights().map((w) => w.dataSync()[0])
    const c = createModel(spec, spec.input, 2).getWeights().map((w) => w.dataSync()[0])
    expect(a).toEqual(b)
    expect(a[0]).not.toBe(c[0])
  })
})
