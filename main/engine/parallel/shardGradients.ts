import * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
// A cycle (trainer → gradientEngine → here → trainer) that is harmless: nothing runs at import time.
import { lossAndCorrect } from '../trainer'

export interface ShardGradients {
  /** Cross-entropy summed (not averaged) over the shard's samples. */
  lossSum: number
  correct: number
  /** Gradients of lossSum, keyed by the names of `variables`. Weight decay is not included. */
  grads: tf.NamedTensorMap
}

/**
 * Loss, correct count and gradients of one shard of a batch, as sums over its samples, so that the
 * shards of a batch add up and one division by the batch size gives the batch mean. The data part only:
 * weight decay depends on the weights, not the samples, and is added once by whoever combines shards.
 * The caller disposes `grads`.
 */
export function shardGradientSums(
  model: tfl.LayersModel,
  variables: tf.Variable[],
  images: Float32Array,
  labels: Int32Array,
  size: number,
  classes: number,
  imageShape: [number, number, number],
): ShardGradients {
  const x = tf.tensor4d(images, [size, ...imageShape])
  const y = tf.tensor1d(labels, 'int32')
  let correct: tf.Scalar | undefined
  try {
    const { value, grads } = tf.variableGrads(() => {
      const result = lossAndCorrect(model, x, y, classes, true)
      // The forward pass runs in its own tidy scope; keep the count past it and free it below.
      correct = tf.keep(result.correct)
      return tf.mul(result.loss, size) as tf.Scalar
    }, variables)
    const lossSum = value.dataSync()[0]
    value.dispose()
    return { lossSum, correct: correct!.dataSync()[0], grads }
  } finally {
    tf.dispose([x, y])
    correct?.dispose()
  }
}
