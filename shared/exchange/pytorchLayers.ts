/**
 * One layer of an architecture spec as the notes write it in PyTorch: module constructors for
 * nn.Sequential, and the functional activations their Inception and Residual classes call in forward().
 */
import type { Activation } from '../arch/vocabulary/layers'
import type { LayerInfo } from '../arch/layerMath'
import { zeroPaddedMaxPool } from './poolPadding'

/** What PyTorch computes in forward() for an activation applied to `x`. */
export function functionalActivation(fn: Activation, x: string): string {
  switch (fn) {
    case 'relu':
      return `F.relu(${x})`
    case 'sigmoid':
      return `torch.sigmoid(${x})`
    case 'tanh':
      return `torch.tanh(${x})`
    case 'leakyRelu':
      return `F.leaky_relu(${x}, 0.01)`
  }
}

const MODULE_ACTIVATIONS: Record<Activation, string> = { relu: 'nn.ReLU()', sigmoid: 'nn.Sigmoid()', tanh: 'nn.Tanh()', leakyRelu: 'nn.LeakyReLU(0.01)' }

/** `kernel_size=k, stride=s, padding=p`, leaving out PyTorch's defaults as the notes do. */
function windowArgs(kernel: number, stride: number, padding: number, defaultStride: number): string {
  return [`kernel_size=${kernel}`, ...(stride !== defaultStride ? [`stride=${stride}`] : []), ...(padding ? [`padding=${padding}`] : [])].join(', ')
}

/** A node's input shape ([h, w, c] or [features]) and whether the network has activations below zero. */
export interface LayerContext {
  input: number[]
  negativeInputs: boolean
}

/**
 * The modules one graph node becomes, in order; the node's parameters (if any) belong to the module at
 * `parameterIndex`. Null for nodes that are not modules (concatenation and addition live in forward()).
 */
export function torchModules(node: LayerInfo, { input, negativeInputs }: LayerContext): { modules: string[]; parameterIndex: number } | null {
  const { op } = node
  const one = (module: string) => ({ modules: [module], parameterIndex: 0 })
  switch (op.kind) {
    case 'conv2d':
      return one(`nn.Conv2d(${input[2]}, ${op.filters}, ${windowArgs(op.kernelSize, op.stride, op.padding, 1)})`)
    case 'batchNorm':
      return one(input.length === 3 ? `nn.BatchNorm2d(${input[2]})` : `nn.BatchNorm1d(${input[0]})`)
    case 'activation':
      return one(MODULE_ACTIVATIONS[op.fn])
    case 'pool2d': {
      const p = op.padding ?? 0
      if (zeroPaddedMaxPool(op, input[0], negativeInputs)) {
        // Trained with zero padding, which can win a max where activations go negative (see poolPadding.ts).
        return { modules: [`nn.ZeroPad2d(${p})`, `nn.MaxPool2d(${windowArgs(op.poolSize, op.stride, 0, -1)})`], parameterIndex: 1 }
      }
      return one(`${op.mode === 'max' ? 'nn.MaxPool2d' : 'nn.AvgPool2d'}(${windowArgs(op.poolSize, op.stride, p, -1)})`)
    }
    case 'globalAvgPool':
      return { modules: ['nn.AdaptiveAvgPool2d((1, 1))', 'nn.Flatten()'], parameterIndex: 0 }
    case 'flatten':
      return one('nn.Flatten()')
    case 'dense':
      return one(`nn.Linear(${input[0]}, ${op.units})`)
    case 'dropout':
      return one(`nn.Dropout(p=${op.rate})`)
    case 'lrn':
      return one(`nn.LocalResponseNorm(${op.size}, alpha=${op.alpha}, beta=${op.beta}, k=${op.k})`)
    case 'concat':
    case 'add':
      return null
  }
}
