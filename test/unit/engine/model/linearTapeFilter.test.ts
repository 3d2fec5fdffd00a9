import { describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import '@tensorflow/tfjs-backend-cpu'
import { getArchitecture } from '../../../../shared/arch/specs'
import { createModel } from '../../../../main/engine/model/modelFactory'
import { installLinearTapeFilter, TAPE_FILTER_TFJS_VERSION } from '../../../../main/engine/model/linearTapeFilter'

type Gradients = (f: () => tf.Tensor, xs: tf.Tensor[], dy?: tf.Tensor, allowNoGradients?: boolean) => { value: tf.Tensor; grads: tf.Tensor[] }
const prototype = Object.getPrototypeOf(tf.engine()) as { gradients: Gradients }
// Taken before installing: upstream's method, the reference every case is compared with.
const upstream = prototype.gradients
const installedHere = installLinearTapeFilter()
const linear = prototype.gradients

function withGradients<T>(method: Gradients, f: () => T): T {
  prototype.gradients = method
  try {
    return f()
  } finally {
    prototype.gradients = linear
  }
}

/** A training step's loss gradients for every trainable variable, as arrays, and the tensors left after it. */
function stepGradients(method: Gradients, model: tfl.LayersModel, x: tf.Tensor, labels: tf.Tensor) {
  return withGradients(method, () => {
    const before = tf.memory().numTensors
    const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(labels, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar)
    const arrays = Object.fromEntries(Object.entries(grads).map(([name, g]) => [name, Array.from(g.dataSync())]))
    const loss = value.dataSync()[0]
    tf.dispose([value, ...Object.values(grads)])
    return { arrays, loss, leaked: tf.memory().numTensors - before }
  })
}

describe('linear tape filter', () => {
  it('is installed on the tfjs-core it was copied from (an upgrade fails here: compare the new engine first)', () => {
    expect(tf.version_core).toBe(TAPE_FILTER_TFJS_VERSION)
    expect(installedHere).toBe(true)
    // Not installed before this test took the reference.
    expect(linear).not.toBe(upstream)
  })

  it('gives bit-identical gradients to upstream on a GoogLeNet with batch norm (concats, splits, moving averages off the path)', () => {
    tf.setBackend('cpu')
    const spec = getArchitecture('googlenet', { inputSize: 32, channels: 1, classes: 10, knobs: { batchNorm: true, width: 0.125 } })
    const model = createModel(spec, spec.input, 7)
    const x = tf.randomUniform([3, 32, 32, 1], 0, 1, 'float32', 3)
    const labels = tf.oneHot(tf.tensor1d([1, 4, 9], 'int32'), 10)
    const reference = stepGradients(upstream, model, x, labels)
    const got = stepGradients(linear, model, x, labels)
    expect(Object.keys(got.arrays).length).toBeGreaterThan(100)
    expect(Object.keys(got.arrays)).toEqual(Object.keys(reference.arrays))
    for (const name of Object.keys(reference.arrays)) expect(got.arrays[name], name).toEqual(reference.arrays[name])
    expect(got.loss).toBe(reference.loss)
    // The tape and what it saved for the backward pass are disposed as upstream disposes them.
    expect(got.leaked).toBe(reference.leaked)
  })

  it('follows upstream for a given dy, inputs off the path, and a function that does not depend on x', () => {
    const a = tf.tensor1d([1, 2, 3])
    const b = tf.tensor1d([0.5, -1, 2])
    const c = tf.tensor1d([3, 3, 3])
    const f = () => tf.mul(tf.add(tf.mul(a, b), c), tf.sin(a))
    const dy = tf.tensor1d([1, -2, 0.25])
    for (const method of [upstream, linear]) expect(method).toBeTypeOf('function')
    const expected = withGradients(upstream, () => tf.engine().gradients(f, [a, b], dy).grads.map((g) => Array.from(g.dataSync())))
    const got = tf.engine().gradients(f, [a, b], dy).grads.map((g) => Array.from(g.dataSync()))
    expect(got).toEqual(expected)
    const message = (method: Gradients) => {
      try {
        withGradients(method, () => tf.engine().gradients(() => tf.mul(c, 2), [a]))
      } catch (error) {
        return (error as Error).message
      }
      return 'no error'
    }
    expect(message(linear)).toBe(message(upstream))
    expect(message(linear)).toMatch(/Cannot compute gradient/)
  })
})
