import * as tf from '@tensorflow/tfjs-core'
// The reference every rung is checked against.
import '@tensorflow/tfjs-backend-cpu'
// tfjs-core alone registers no gradients; the tfjs-layers bundle registers all of them on import
// (the core's own register_all_gradients module cannot be imported as ESM under Node).
import '@tensorflow/tfjs-layers'
import { fusedBatchNormTraining } from './fusedBatchNorm'

/**
 * A wrong backend is worse than a slow one: before a rung is chosen, a small conv / batch-norm / pool / dense
 * forward and backward pass runs on it and on the pure-JS `cpu` reference, and the results must agree.
 */
async function referenceComputation(): Promise<number[]> {
  const outputs = tf.tidy(() => {
    const x = tf.tensor4d(sequence(2 * 6 * 6 * 2, 0.37), [2, 6, 6, 2])
    const w = tf.tensor4d(sequence(3 * 3 * 2 * 3, 0.11), [3, 3, 2, 3])
    const gamma = tf.tensor1d([0.8, 1.3, -0.6])
    const beta = tf.tensor1d([0.1, -0.2, 0.05])
    const f = (input: tf.Tensor, filter: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor) => {
      const conv = tf.conv2d(input as tf.Tensor4D, filter as tf.Tensor4D, 1, 'same')
      const pooled = tf.maxPool(tf.tanh(trainingBatchNorm(conv, scale, offset)) as tf.Tensor4D, 2, 2, 'valid')
      return tf.sum(tf.matMul(tf.reshape(pooled, [2, -1]), tf.ones([27, 2])))
    }
    const grads = tf.grads(f)([x, w, gamma, beta])
    return [f(x, w, gamma, beta), ...grads]
  })
  // Read asynchronously: the webgpu backend cannot read synchronously in Node (no OffscreenCanvas).
  try {
    const values = await Promise.all(outputs.map((t) => t.data()))
    return values.flatMap((v) => Array.from(v))
  } finally {
    tf.dispose(outputs)
  }
}

/** Batch norm as a training step runs it: the rung's fused kernels where it has them (so they are checked too), else tfjs ops. */
function trainingBatchNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  const fused = fusedBatchNormTraining(x, gamma, beta, 1e-3)
  if (fused) return fused[0]
  const { mean, variance } = tf.moments(x, [0, 1, 2])
  return tf.batchNorm(x, mean, variance, beta as tf.Tensor1D, gamma as tf.Tensor1D, 1e-3)
}

/** Deterministic values with both signs, so max pooling over negative windows is exercised. */
function sequence(length: number, step: number): Float32Array {
  const values = new Float32Array(length)
  for (let i = 0; i < length; i++) values[i] = Math.sin(i * step * 7.1) * 1.5
  return values
}

export interface SelfTestResult {
  ok: boolean
  maxError: number
  ms: number
}

export async function selfTestBackend(name: string, tolerance = 1e-3): Promise<SelfTestResult> {
  const previous = tf.getBackend()
  await tf.setBackend('cpu')
  const expected = await referenceComputation()
  if (!(await tf.setBackend(name))) throw new Error(`backend ${name} did not initialize`)
  const start = performance.now()
  const actual = await referenceComputation()
  const ms = performance.now() - start
  let maxError = 0
  for (let i = 0; i < expected.length; i++) {
    const error = Math.abs(actual[i] - expected[i]) / Math.max(1, Math.abs(expected[i]))
    maxError = Number.isNaN(error) ? Infinity : Math.max(maxError, error)
  }
  if (previous && previous !== name) await tf.setBackend(name)
  return { ok: maxError <= tolerance, maxError, ms }
}
