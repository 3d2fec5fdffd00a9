/**
 * A trained model's weights moved from TensorFlow.js's channels-last layout to PyTorch's (and ONNX's)
 * channels-first one. Both the ONNX and the PyTorch export read them from here, so the two agree on
 * every transpose by construction.
 */
import type { LayerInfo, ModelInfo } from '../arch/layerMath'

/** One saved tensor, by its TensorFlow.js weight name (`<layer>/kernel`, `<layer>/moving_mean`, ...). */
export interface SavedTensor {
  shape: number[]
  values: Float32Array
}
export type SavedWeights = ReadonlyMap<string, SavedTensor>

export type TorchTensorName = 'weight' | 'bias' | 'running_mean' | 'running_var'

export interface TorchTensor {
  name: TorchTensorName
  shape: number[]
  values: Float32Array
}

/** The parameters of one graph node (a convolution, dense layer or batch norm) as PyTorch holds them. */
export interface TorchParameters {
  node: LayerInfo
  tensors: TorchTensor[]
}

export class MissingWeightError extends Error {}

function saved(weights: SavedWeights, name: string, size: number): SavedTensor {
  const tensor = weights.get(name)
  if (!tensor) throw new MissingWeightError(`the saved model has no weight ${name}`)
  if (tensor.values.length !== size) throw new MissingWeightError(`the saved weight ${name} holds ${tensor.values.length} values, the architecture needs ${size}`)
  return tensor
}

/** HWIO (TensorFlow.js) to OIHW (PyTorch, ONNX). */
export function convKernelToOihw(kernel: SavedTensor): TorchTensor {
  const [kh, kw, ci, co] = kernel.shape
  const out = new Float32Array(kernel.values.length)
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < ci; i++)
        for (let o = 0; o < co; o++) out[((o * ci + i) * kh + y) * kw + x] = kernel.values[((y * kw + x) * ci + i) * co + o]
  return { name: 'weight', shape: [co, ci, kh, kw], values: out }
}

/**
 * [in, out] (TensorFlow.js) to [out, in] (PyTorch's Linear, ONNX Gemm with transB). A dense layer right
 * after a flatten reads the feature map in height-width-channel order here, channel-height-width there:
 * its input columns are permuted to match.
 */
export function denseKernelToTorch(kernel: SavedTensor, flattenedFrom?: readonly number[]): TorchTensor {
  const [inputs, units] = kernel.shape
  const [h, w, c] = flattenedFrom?.length === 3 ? flattenedFrom : [1, 1, inputs]
  const out = new Float32Array(kernel.values.length)
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let ch = 0; ch < c; ch++) {
        const tfRow = (y * w + x) * c + ch
        const torchColumn = (ch * h + y) * w + x
        for (let o = 0; o < units; o++) out[o * inputs + torchColumn] = kernel.values[tfRow * units + o]
      }
  return { name: 'weight', shape: [units, inputs], values: out }
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1)

/** Every parameterised node of the model, in graph order, with its tensors in PyTorch's layout. */
export function torchParameters(info: ModelInfo, weights: SavedWeights): TorchParameters[] {
  const byName = new Map(info.layers.map((layer) => [layer.name, layer]))
  const inputShape = (node: LayerInfo) => byName.get(node.inputs[0])?.outputShape ?? [info.input.height, info.input.width, info.input.channels]
  const result: TorchParameters[] = []
  for (const node of info.layers) {
    const { op } = node
    const input = inputShape(node)
    const vector = (suffix: string, name: TorchTensorName, length: number): TorchTensor => {
      const tensor = saved(weights, `${node.name}/${suffix}`, length)
      return { name, shape: [length], values: tensor.values }
    }
    if (op.kind === 'conv2d') {
      const kernel = saved(weights, `${node.name}/kernel`, op.kernelSize * op.kernelSize * input[2] * op.filters)
      result.push({ node, tensors: [convKernelToOihw(kernel), vector('bias', 'bias', op.filters)] })
    } else if (op.kind === 'dense') {
      const kernel = saved(weights, `${node.name}/kernel`, input[0] * op.units)
      const source = byName.get(node.inputs[0])
      const flattenedFrom = source?.op.kind === 'flatten' ? inputShape(source) : undefined
      result.push({ node, tensors: [denseKernelToTorch(kernel, flattenedFrom), vector('bias', 'bias', op.units)] })
    } else if (op.kind === 'batchNorm') {
      const c = input[input.length - 1]
      result.push({
        node,
        tensors: [vector('gamma', 'weight', c), vector('beta', 'bias', c), vector('moving_mean', 'running_mean', c), vector('moving_variance', 'running_var', c)],
      })
    }
  }
  return result
}

/** Parameters PyTorch counts as trainable (weights and biases; not the running statistics). */
export function trainableCount(parameters: readonly TorchParameters[]): number {
  return parameters.reduce((sum, p) => sum + p.tensors.filter((t) => t.name === 'weight' || t.name === 'bias').reduce((s, t) => s + size(t.shape), 0), 0)
}
