import * as tf from '@tensorflow/tfjs-core'
import type { OptimizerName } from '../../../shared/arch/specs'
import { NativeAdamOptimizer, NativeMomentumOptimizer, NativeRMSPropOptimizer, NativeSGDOptimizer } from './nativeOptimizers'

/** tfjs's optimizers, stepping in one native pass on the wasm-blas rung (nativeOptimizers.ts). */
export function createOptimizer(name: OptimizerName, learningRate: number): tf.Optimizer {
  switch (name) {
    case 'sgd':
      return new NativeSGDOptimizer(learningRate)
    case 'momentum':
      return new NativeMomentumOptimizer(learningRate, 0.9)
    case 'nesterov':
      return new NativeMomentumOptimizer(learningRate, 0.9, true)
    case 'adam':
      // tf.train.adam's defaults.
      return new NativeAdamOptimizer(learningRate, 0.9, 0.999, undefined)
    case 'rmsprop':
      // PyTorch's defaults (alpha 0.99, eps 1e-8) rather than tfjs's (0.9, 1e-10), so results compare.
      return new NativeRMSPropOptimizer(learningRate, 0.99, 0, 1e-8)
  }
}

/**
 * Adam and RMSprop read their `learningRate` field at every step, so a schedule writes it; SGD and
 * momentum (its subclass) step by a scalar `c` = -rate made when the rate is set, which only their
 * setter remakes (writing the field alone left them at the first rate).
 */
export function setLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  // (instanceof would not tell: tfjs's Optimizer answers it for every optimizer by duck typing.)
  if ('setLearningRate' in optimizer) (optimizer as tf.SGDOptimizer).setLearningRate(learningRate)
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
