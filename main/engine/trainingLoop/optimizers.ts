import * as tf from '@tensorflow/tfjs-core'
import type { OptimizerName } from '../../../shared/arch/specs'

export function createOptimizer(name: OptimizerName, learningRate: number): tf.Optimizer {
  switch (name) {
    case 'sgd':
      return tf.train.sgd(learningRate)
    case 'momentum':
      return tf.train.momentum(learningRate, 0.9)
    case 'nesterov':
      return tf.train.momentum(learningRate, 0.9, true)
    case 'adam':
      return tf.train.adam(learningRate)
    case 'rmsprop':
      // PyTorch's defaults (alpha 0.99, eps 1e-8) rather than tfjs's (0.9, 1e-10), so results compare.
      return tf.train.rmsprop(learningRate, 0.99, 0, 1e-8)
  }
}

/**
 * tfjs optimizers read their `learningRate` field at every step but only SGD exposes a setter; a
 * schedule therefore writes the field directly (the same for every optimizer class in tfjs 4).
 */
export function setLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  ;(optimizer as unknown as { learningRate: number }).learningRate = learningRate
}

/**
 * Takes back the count of a step that loss scaling undid (lossScaler.ts): the count is saved with the
 * optimizer's state, and Adam rebuilds its bias corrections from it when a checkpoint is resumed.
 */
export function uncountStep(optimizer: tf.Optimizer): void {
  const counted = optimizer as unknown as { iterations_: number }
  if (counted.iterations_ > 0) counted.iterations_--
}
