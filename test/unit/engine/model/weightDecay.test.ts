import { describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import { getArchitecture } from '../../../../shared/arch/specs'
import { createModel } from '../../../../main/engine/model/modelFactory'
import { lossGradients } from '../../../../main/engine/model/modelStep'
import { trainingOption } from '../../../../shared/run/trainingOptions'

describe('weight decay', () => {
  it('decays every trainable weight, biases and batch norm included, as its help says (PyTorch over net.parameters())', async () => {
    await tf.setBackend('cpu')
    const spec = getArchitecture('resnet18', { inputSize: 16, channels: 1, classes: 10, knobs: { width: 0.125 } })
    const model = createModel(spec, spec.input, 3)
    const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable)
    const images = Float32Array.from({ length: 4 * 16 * 16 }, (_, i) => Math.sin(i))
    const labels = Int32Array.of(1, 3, 5, 7)
    const options = { classes: 10, imageShape: [16, 16, 1] as [number, number, number] }
    const decay = 0.01
    const plain = lossGradients(model, variables, images, labels, 4, options)
    const decayed = lossGradients(model, variables, images, labels, 4, { ...options, weightDecay: decay })
    const kinds = new Set<string>()
    for (const variable of variables) {
      const extra = tf.sub(decayed.grads[variable.name], plain.grads[variable.name])
      const expected = tf.mul(variable, decay)
      const scale = Math.max(1e-3, tf.max(tf.abs(expected)).dataSync()[0])
      expect(tf.max(tf.abs(tf.sub(extra, expected))).dataSync()[0] / scale, variable.name).toBeLessThan(1e-3)
      kinds.add(variable.name.split('/').at(-1)!.replace(/_\d+$/, ''))
    }
    expect([...kinds].sort()).toEqual(['beta', 'bias', 'gamma', 'kernel'])
    expect(trainingOption('weightDecay').help).toMatch(/all trainable weights, biases and batch norm/)
  })
})
