/**
 * The vocabulary of architecture specs: primitive layers, and the composite blocks the notes build
 * networks from (VGG blocks, Inception's parallel branches, residual blocks). Specs are plain data; the
 * inspector math (layerMath.ts) and the TensorFlow.js factory both walk the same graph (graph.ts).
 */
export const ACTIVATIONS = ['sigmoid', 'tanh', 'relu', 'leakyRelu'] as const
export type Activation = (typeof ACTIVATIONS)[number]
export const POOL_MODES = ['avg', 'max'] as const
export type PoolMode = (typeof POOL_MODES)[number]

/** A layer that maps one tensor to one tensor. Padding follows PyTorch: `padding` zeros on every side. */
export type PrimitiveLayer =
  | { kind: 'conv2d'; filters: number; kernelSize: number; stride: number; padding: number }
  | { kind: 'batchNorm' }
  | { kind: 'activation'; fn: Activation }
  | { kind: 'pool2d'; mode: PoolMode; poolSize: number; stride: number; padding?: number }
  /** PyTorch's AdaptiveAvgPool2d((1, 1)) followed by Flatten: one value per channel. */
  | { kind: 'globalAvgPool' }
  | { kind: 'flatten' }
  | { kind: 'dense'; units: number }
  | { kind: 'dropout'; rate: number }
  /** Local response normalisation as PyTorch's nn.LocalResponseNorm(size, alpha, beta, k). */
  | { kind: 'lrn'; size: number; alpha: number; beta: number; k: number }

/** Layers in order, under a name (a VGG block, ResNet's stage b3). Only groups; adds no computation. */
export interface SequenceBlock {
  kind: 'sequence'
  name: string
  layers: LayerSpec[]
}

/** Parallel branches over the same input, concatenated along channels (an Inception block). */
export interface ConcatBlock {
  kind: 'concat'
  name: string
  branches: LayerSpec[][]
}

/**
 * A residual block: `after(body(x) + shortcut(x))`. `shortcut` is the identity (`[]`), a projection
 * (a 1x1 convolution), or `null` for a plain block without the addition (the degradation experiment).
 */
export interface ResidualBlock {
  kind: 'residual'
  name: string
  body: LayerSpec[]
  shortcut: LayerSpec[] | null
  after: LayerSpec[]
}

export type BlockSpec = SequenceBlock | ConcatBlock | ResidualBlock
export type LayerSpec = PrimitiveLayer | BlockSpec

export function isBlock(layer: LayerSpec): layer is BlockSpec {
  return layer.kind === 'sequence' || layer.kind === 'concat' || layer.kind === 'residual'
}
