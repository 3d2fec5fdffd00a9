import * as tfl from '@tensorflow/tfjs-layers'
import type { ArchitectureSpec, InputShape, LayerSpec } from '../../shared/arch/specs'

/**
 * Builds a tfjs-layers model from an architecture spec. Channels-last throughout (tfjs's BatchNorm and
 * the fast conv kernels need it). PyTorch's explicit padding p becomes 'same' where that is equivalent
 * (stride 1, 2p = k - 1) and an explicit zero-padding layer otherwise.
 */
export function createModel(spec: Pick<ArchitectureSpec, 'layers'>, input: InputShape, seed: number): tfl.Sequential {
  const model = tfl.sequential()
  let first = true
  const inputShape = [input.height, input.width, input.channels]
  const withInput = <T extends object>(config: T): T => {
    if (!first) return config
    first = false
    return { ...config, inputShape }
  }
  spec.layers.forEach((layer, index) => {
    const kernelInitializer = tfl.initializers.glorotUniform({ seed: seed * 1000 + index })
    for (const built of buildLayer(layer, kernelInitializer, withInput)) model.add(built)
  })
  return model
}

type WithInput = <T extends object>(config: T) => T

function buildLayer(
  layer: LayerSpec,
  kernelInitializer: ReturnType<typeof tfl.initializers.glorotUniform>,
  withInput: WithInput,
): tfl.layers.Layer[] {
  switch (layer.kind) {
    case 'conv2d': {
      const sameIsExact = layer.stride === 1 && 2 * layer.padding === layer.kernelSize - 1
      const padded = layer.padding > 0 && !sameIsExact
      const conv = (config: object) =>
        tfl.layers.conv2d({
          ...config,
          filters: layer.filters,
          kernelSize: layer.kernelSize,
          strides: layer.stride,
          padding: sameIsExact && layer.padding > 0 ? 'same' : 'valid',
          kernelInitializer,
        })
      if (!padded) return [conv(withInput({}))]
      return [tfl.layers.zeroPadding2d(withInput({ padding: layer.padding })), conv({})]
    }
    case 'activation':
      return [tfl.layers.activation(withInput({ activation: layer.fn }))]
    case 'pool2d': {
      const config = withInput({ poolSize: layer.poolSize, strides: layer.stride, padding: 'valid' as const })
      return [layer.mode === 'max' ? tfl.layers.maxPooling2d(config) : tfl.layers.averagePooling2d(config)]
    }
    case 'flatten':
      return [tfl.layers.flatten(withInput({}))]
    case 'dense':
      return [tfl.layers.dense(withInput({ units: layer.units, kernelInitializer }))]
  }
}

export function countTrainableParams(model: tfl.LayersModel): number {
  return model.trainableWeights.reduce((sum, weight) => sum + weight.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0)
}
