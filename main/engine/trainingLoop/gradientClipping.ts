import * as tf from '@tensorflow/tfjs-core'

/** Scales all gradients by one factor so that their global norm is at most maxNorm (tfjs's kernels; the wasm-blas rung folds it into its optimizer step). */
export function clipByGlobalNorm(grads: tf.NamedTensorMap, maxNorm: number): tf.NamedTensorMap {
  const norm = tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g)))))
  const scale = tf.minimum(1, tf.div(maxNorm, tf.add(norm, 1e-6)))
  return Object.fromEntries(Object.entries(grads).map(([name, g]) => [name, tf.mul(g, scale)]))
}
