import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'

export interface InputConv2DConfig {
  name: string
  filters: number
  kernelSize: number
  strides: number
  padding: 'valid' | 'same'
  kernelInitializer: ReturnType<typeof tfl.initializers.glorotUniform>
}

type Initializer = InputConv2DConfig['kernelInitializer']

/**
 * A Conv2D (kernel + bias, same weights and initialisation as tfjs-layers') for the layer that reads the
 * image. tfjs-layers' Conv2D runs tf.fused.conv2d, whose gradient computes the input gradient eagerly
 * even when nothing needs it; for the first layer that is pure waste, and a costly one: AlexNet's 11x11
 * stride-4 input gradient took 87% of a training step on wasm. Plain conv2d + add lets the tape skip it.
 */
export class InputConv2D extends tfl.layers.Layer {
  static readonly className = 'InputConv2D'
  private readonly filters: number
  private readonly kernelSize: number
  private readonly strides: number
  private readonly padding: 'valid' | 'same'
  private readonly kernelInitializer: Initializer
  private kernel?: tfl.LayerVariable
  private bias?: tfl.LayerVariable

  constructor(config: InputConv2DConfig) {
    super({ name: config.name })
    this.filters = config.filters
    this.kernelSize = config.kernelSize
    this.strides = config.strides
    this.padding = config.padding
    this.kernelInitializer = config.kernelInitializer ?? tfl.initializers.glorotUniform({})
  }

  build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape
    const channels = shape[shape.length - 1] as number
    this.kernel = this.addWeight('kernel', [this.kernelSize, this.kernelSize, channels, this.filters], 'float32', this.kernelInitializer)
    this.bias = this.addWeight('bias', [this.filters], 'float32', tfl.initializers.zeros())
    this.built = true
  }

  computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const [batch, h, w] = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape
    const size = (n: number) => (this.padding === 'same' ? Math.ceil(n / this.strides) : Math.floor((n - this.kernelSize) / this.strides) + 1)
    return [batch, size(h as number), size(w as number), this.filters]
  }

  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D
    return tf.add(tf.conv2d(x, this.kernel!.read() as tf.Tensor4D, this.strides, this.padding), this.bias!.read())
  }

  getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: this.kernelSize,
      strides: this.strides,
      padding: this.padding,
    }
  }
}
tf.serialization.registerClass(InputConv2D)
