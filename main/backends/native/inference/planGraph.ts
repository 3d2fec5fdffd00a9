import type * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import { FUSED_ACTIVATION_CODES } from '../nativeKernels'

/**
 * A loaded tfjs-layers model read as the inference plan needs it: layers in order with their inputs by
 * name, configs, output shapes and weights as plain arrays; and the batch-norm folding.
 */

export type Shape = [number, number, number]

export interface PlanNode {
  name: string
  className: string
  config: tf.serialization.ConfigDict
  inputs: string[]
  /** Output shape without the batch axis. */
  shape: number[]
  /** By the weight's short name: kernel, bias, gamma, beta, moving_mean, moving_variance. */
  weights: Map<string, Float32Array>
}

/** A layer or config the plan has no step for; its message is the reason the caller runs tfjs instead. */
export class Unsupported extends Error {}

export const perImage = (shape: number[]): number => shape.reduce((a, b) => a * b, 1)

export function pair(value: unknown): [number, number] {
  const v = value as number | number[]
  return Array.isArray(v) ? [v[0], v[1] ?? v[0]] : [v, v]
}

/** The native code of a layer's own activation (tfjs-layers' config name); Unsupported if there is none. */
export function activationCode(name: unknown): number {
  const code = FUSED_ACTIVATION_CODES[String(name ?? 'linear')]
  if (code === undefined) throw new Unsupported(`activation ${String(name)}`)
  return code
}

/** The code of a standalone activation layer, or undefined (LeakyReLU only with PyTorch's slope, 0.01). */
export function activationLayerCode(node: PlanNode): number | undefined {
  if (node.className === 'LeakyReLU') return Math.abs(Number(node.config.alpha) - 0.01) < 1e-9 ? FUSED_ACTIVATION_CODES.leakyRelu : undefined
  if (node.className === 'Activation') return FUSED_ACTIVATION_CODES[String(node.config.activation)]
  return undefined
}

export function readNodes(model: tfl.LayersModel): PlanNode[] {
  return model.layers.map((layer) => {
    const inbound = (layer as unknown as { inboundNodes: { inboundLayers: tfl.layers.Layer[] }[] }).inboundNodes
    if (inbound.length !== 1) throw new Unsupported(`layer ${layer.name} is used ${inbound.length} times`)
    const weights = new Map<string, Float32Array>()
    const values = layer.getWeights()
    for (const [index, variable] of layer.weights.entries()) {
      weights.set(variable.originalName.split('/').pop() ?? String(index), values[index].dataSync() as Float32Array)
    }
    const shape = (layer.outputShape as (number | null)[]).slice(1) as number[]
    return { name: layer.name, className: layer.getClassName(), config: layer.getConfig(), inputs: inbound[0].inboundLayers.map((l) => l.name), shape, weights }
  })
}

export function weight(node: PlanNode, key: string): Float32Array {
  const value = node.weights.get(key)
  if (!value) throw new Unsupported(`layer ${node.name} has no ${key}`)
  return value
}

/**
 * Folds y = gamma (x - mean) / sqrt(variance + eps) + beta into the convolution or product before it:
 * each output column c of the filter is scaled by gamma_c / sqrt(variance_c + eps), and the bias becomes
 * (bias - mean) * that scale + beta.
 */
export function foldBatchNorm(filter: Float32Array, bias: Float32Array | null, bn: PlanNode, columns: number): { filter: Float32Array; bias: Float32Array } {
  const epsilon = Number(bn.config.epsilon ?? 1e-3)
  const mean = weight(bn, 'moving_mean')
  const variance = weight(bn, 'moving_variance')
  const gamma = bn.weights.get('gamma')
  const beta = bn.weights.get('beta')
  // Plain loops: Float32Array.from with a mapping function boxes every value on the JS heap first
  // (hundreds of MB for ResNet-18's filters).
  const scale = new Float32Array(columns)
  const foldedBias = new Float32Array(columns)
  for (let c = 0; c < columns; c++) {
    scale[c] = (gamma ? gamma[c] : 1) / Math.sqrt(variance[c] + epsilon)
    foldedBias[c] = ((bias ? bias[c] : 0) - mean[c]) * scale[c] + (beta ? beta[c] : 0)
  }
  const folded = new Float32Array(filter.length)
  for (let i = 0; i < filter.length; i++) folded[i] = filter[i] * scale[i % columns]
  return { filter: folded, bias: foldedBias }
}
