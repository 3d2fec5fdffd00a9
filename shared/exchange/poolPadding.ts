import type { GraphNode, GraphOp } from '../arch/graph'
import { sameMatchesTorch } from '../arch/layerMath'

/** Whether any activation of the network can be negative (tanh, leaky ReLU); ReLU and sigmoid cannot. */
export function hasNegativeActivations(nodes: readonly Pick<GraphNode, 'op'>[]): boolean {
  return nodes.some(({ op }) => op.kind === 'activation' && (op.fn === 'tanh' || op.fn === 'leakyRelu'))
}

/**
 * Whether a padded max pooling must be exported with zero padding rather than PyTorch's (and ONNX's)
 * "padding never wins". The trained model pads with zeros wherever TensorFlow's 'same' padding does not
 * match PyTorch's (see the model factory); the two agree whenever the pooled values are never negative,
 * which holds in every zoo network whose activations cannot go below zero (the notes' ReLU networks).
 */
export function zeroPaddedMaxPool(op: Extract<GraphOp, { kind: 'pool2d' }>, inputSide: number, negativeInputs: boolean): boolean {
  const p = op.padding ?? 0
  return op.mode === 'max' && p > 0 && negativeInputs && !sameMatchesTorch(inputSide, op.poolSize, op.stride, p)
}
