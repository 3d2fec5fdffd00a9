import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'

export interface LocalResponseNormConfig {
  size: number
  alpha: number
  beta: number
  k: number
  name?: string
}

/**
 * PyTorch's nn.LocalResponseNorm(size, alpha, beta, k) over the channel axis (channels-last):
 * b = a / (k + alpha / size * sum of a^2 over `size` neighbouring channels)^beta. TensorFlow's op
 * does not divide alpha by the window, so it gets alpha / size. tfjs-layers has no such layer; it is
 * registered for serialization so saved models load again.
 */
export class LocalResponseNorm extends tfl.layers.Layer {
  static readonly className = 'LocalResponseNorm'
  private readonly size: number
  private readonly alpha: number
  private readonly beta: number
  private readonly k: number

  constructor(config: LocalResponseNormConfig) {
    super({ name: config.name })
    if (config.size % 2 !== 1) throw new Error(`LocalResponseNorm needs an odd window size, got ${config.size}`)
    this.size = config.size
    this.alpha = config.alpha
    this.beta = config.beta
    this.k = config.k
  }

  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D
    return tf.localResponseNormalization(x, (this.size - 1) / 2, this.k, this.alpha / this.size, this.beta)
  }

  getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), size: this.size, alpha: this.alpha, beta: this.beta, k: this.k }
  }
}
tf.serialization.registerClass(LocalResponseNorm)
