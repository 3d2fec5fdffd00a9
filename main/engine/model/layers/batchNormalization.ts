import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import { fusedBatchNormTraining, hasFusedBatchNorm, updateMovingAverage } from '../../../backends/fusedBatchNorm'

/** tfjs-layers does not export the class itself, only its factory. */
const TfjsBatchNormalization = Object.getPrototypeOf(tfl.layers.batchNormalization({})).constructor as new (
  args: Parameters<typeof tfl.layers.batchNormalization>[0],
) => tfl.layers.Layer

type Kwargs = Parameters<tfl.layers.Layer['call']>[1]

interface BatchNormFields {
  axis: number
  momentum: number
  epsilon: number
  center: boolean
  scale: boolean
  gamma: tfl.LayerVariable
  beta: tfl.LayerVariable
  movingMean: tfl.LayerVariable
  movingVariance: tfl.LayerVariable
}

/**
 * tfjs-layers' BatchNormalization, with its training-mode pass on the native kernels when they serve the
 * backend (wasm-blas) or on our WGSL kernels on webgpu: one fused kernel each way instead of ~20 composed
 * tfjs ops. Same class name, weights, config and maths (biased batch variance, the same moving-average
 * update), so saved models and checkpoints are unchanged; it replaces the stock class in the serialization
 * map, so loaded models get it too.
 * Everywhere else (inference, other backends, other axes) it is the stock layer.
 */
export class BatchNormalization extends TfjsBatchNormalization {
  static readonly className = 'BatchNormalization'

  call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const self = this as unknown as BatchNormFields
    const x = Array.isArray(inputs) ? inputs[0] : inputs
    const lastAxis = self.axis === -1 || self.axis === x.rank - 1
    const fused = hasFusedBatchNorm(tf.getBackend())
    if (kwargs.training !== true || !fused || !lastAxis || !self.center || !self.scale) return super.call(inputs, kwargs)
    return tf.tidy(() => {
      const result = fusedBatchNormTraining(x, self.gamma.read(), self.beta.read(), self.epsilon)
      if (!result) return super.call(inputs, kwargs) as tf.Tensor
      const [y, mean, variance] = result
      for (const [variable, value] of [[self.movingMean, mean], [self.movingVariance, variance]] as const) {
        if (updateMovingAverage(variable.read(), value, self.momentum)) continue
        tf.tidy(() => {
          const current = variable.read()
          variable.write(tf.sub(current, tf.mul(tf.sub(current, value), 1 - self.momentum)))
        })
      }
      return y
    })
  }
}
tf.serialization.registerClass(BatchNormalization as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>)

export function batchNormalization(args: { name: string; axis: number; momentum: number; epsilon: number }): tfl.layers.Layer {
  return new BatchNormalization(args)
}
