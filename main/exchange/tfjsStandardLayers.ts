/**
 * The TensorFlow.js export in standard layer classes only, so stock tf.loadLayersModel (and the
 * tensorflowjs converter to Keras) can read it: our first-layer convolution (InputConv2D: a Conv2D with
 * a cheaper gradient, same weights) is written as a plain Conv2D. Our batch norm already saves under
 * the standard BatchNormalization class and config. Local response normalisation has no standard class:
 * the export ships LRN_LOADER_FILE, which registers one.
 */

export const LRN_LOADER_FILE = 'localResponseNorm.js'

type LayerJson = { class_name: string; config: Record<string, unknown>; [key: string]: unknown }

/** Conv2D's full config as tfjs-layers writes it, for an InputConv2D's. */
function standardConv2d(config: Record<string, unknown>): Record<string, unknown> {
  const pair = (value: unknown) => (Array.isArray(value) ? value : [value, value])
  return {
    name: config.name,
    trainable: config.trainable ?? true,
    filters: config.filters,
    kernel_size: pair(config.kernel_size),
    strides: pair(config.strides),
    padding: config.padding,
    data_format: 'channels_last',
    dilation_rate: [1, 1],
    activation: 'linear',
    use_bias: true,
    kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } },
    bias_initializer: { class_name: 'Zeros', config: {} },
    kernel_regularizer: null,
    bias_regularizer: null,
    activity_regularizer: null,
    kernel_constraint: null,
    bias_constraint: null,
  }
}

/** The topology with standard classes; `customClasses` lists what is left that stock TensorFlow.js lacks. */
export function toStandardTopology(topology: Record<string, unknown>): { topology: Record<string, unknown>; customClasses: string[] } {
  const copy = structuredClone(topology) as { model_config?: { config?: { layers?: LayerJson[] } }; config?: { layers?: LayerJson[] } }
  const layers = copy.model_config?.config?.layers ?? copy.config?.layers ?? []
  const custom = new Set<string>()
  for (const layer of layers) {
    if (layer.class_name === 'InputConv2D') {
      layer.class_name = 'Conv2D'
      layer.config = standardConv2d(layer.config)
    } else if (layer.class_name === 'LocalResponseNorm') custom.add(layer.class_name)
  }
  return { topology: copy as Record<string, unknown>, customClasses: [...custom] }
}

/**
 * An ES module for users of the export: `registerLocalResponseNorm(tf)` with the @tensorflow/tfjs
 * namespace (or `registerLocalResponseNorm(tfCore, tfLayers)` with the separate packages) before
 * tf.loadLayersModel. It computes what main/engine/layers/localResponseNorm.ts computes (PyTorch's
 * nn.LocalResponseNorm: TensorFlow's op with alpha divided by the window).
 */
export const LRN_LOADER_SOURCE = `// LocalResponseNorm for TensorFlow.js, as CNN Workbench trains it (PyTorch's nn.LocalResponseNorm(size, alpha, beta, k)).
// TensorFlow.js has no such layer class: register this one before loading the model.
//   import * as tf from '@tensorflow/tfjs'
//   import { registerLocalResponseNorm } from './${LRN_LOADER_FILE}'
//   registerLocalResponseNorm(tf)
//   const model = await tf.loadLayersModel('model.json')
// With the separate packages: registerLocalResponseNorm(tfCore, tfLayers).
export function registerLocalResponseNorm(tf, tfLayers = tf) {
  class LocalResponseNorm extends tfLayers.layers.Layer {
    static className = 'LocalResponseNorm'
    constructor(config) {
      super(config)
      this.size = config.size
      this.alpha = config.alpha
      this.beta = config.beta
      this.k = config.k
    }
    call(inputs) {
      const x = Array.isArray(inputs) ? inputs[0] : inputs
      // TensorFlow's op sums over 2 * radius + 1 channels and does not divide alpha by the window.
      return tf.localResponseNormalization(x, (this.size - 1) / 2, this.k, this.alpha / this.size, this.beta)
    }
    computeOutputShape(inputShape) {
      return inputShape
    }
    getConfig() {
      return { ...super.getConfig(), size: this.size, alpha: this.alpha, beta: this.beta, k: this.k }
    }
  }
  tf.serialization.registerClass(LocalResponseNorm)
  return LocalResponseNorm
}
`
