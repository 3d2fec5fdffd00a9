import * as tfl from '@tensorflow/tfjs-layers'
import type { ArchitectureSpec, InputShape } from '../../../shared/arch/specs'
import { INPUT_NAME, toGraph, type GraphOp } from '../../../shared/arch/graph'
import { analyzeModel, sameMatchesTorch } from '../../../shared/arch/layerMath'
import { batchNormalization } from './layers/batchNormalization'
import { InputConv2D } from './layers/inputConv2d'
import { LocalResponseNorm } from './layers/localResponseNorm'

export interface CreateModelOptions {
  /**
   * 'zeros' skips the random initialisation: shape and parameter checks of the big networks
   * (VGG-19's 140 M weights) then cost an allocation, not seconds of random numbers.
   */
  initializer?: 'seeded' | 'zeros'
}

/** A spec that cannot be built (an input too small for it, shapes that cannot be added). */
export class ArchitectureShapeError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ArchitectureShapeError'
  }
}

type Tensor = tfl.SymbolicTensor

/**
 * Builds a tfjs-layers model (functional API) from an architecture spec. Channels-last throughout
 * (tfjs's BatchNorm and the fast conv kernels need it). Every node of the spec's graph becomes a layer
 * with the node's name, so the inspector's rows and the model's layers correspond by name.
 *
 * PyTorch's explicit padding p becomes 'same' where that is exactly equivalent and an explicit
 * ZeroPadding2D layer (named `<node>.pad`) otherwise; for max pooling that is exact because the notes
 * pad only after ReLU, where a zero never beats the window's maximum.
 */
export function createModel(
  spec: Pick<ArchitectureSpec, 'layers'> & Partial<Pick<ArchitectureSpec, 'initializer'>>,
  input: InputShape,
  seed: number,
  options: CreateModelOptions = {},
): tfl.LayersModel {
  const info = analyzeModel(spec, input)
  const problem = info.problems[0]
  if (problem) throw new ArchitectureShapeError(`layer ${problem.layer}: ${problem.message}`)
  const shapes = new Map(info.layers.map((layer) => [layer.name, layer.outputShape!]))
  shapes.set(INPUT_NAME, [input.height, input.width, input.channels])

  const inputTensor = tfl.input({ shape: [input.height, input.width, input.channels], name: INPUT_NAME })
  const tensors = new Map<string, Tensor>([[INPUT_NAME, inputTensor]])
  let last: Tensor = inputTensor
  for (const node of toGraph(spec.layers)) {
    const inputs = node.inputs.map((name) => tensors.get(name)!)
    const inputSize = shapes.get(node.inputs[0])![0]
    const kernelInitializer =
      options.initializer === 'zeros'
        ? tfl.initializers.zeros()
        : spec.initializer === 'he'
          ? tfl.initializers.heNormal({ seed: seed * 1000 + node.index })
          : tfl.initializers.glorotUniform({ seed: seed * 1000 + node.index })
    last = buildNode(node.op, node.name, inputs, inputSize, kernelInitializer, node.inputs[0] === INPUT_NAME)
    tensors.set(node.name, last)
  }
  return tfl.model({ inputs: inputTensor, outputs: last })
}

type Initializer = ReturnType<typeof tfl.initializers.zeros>

function applyLayer(layer: tfl.layers.Layer, input: Tensor | Tensor[]): Tensor {
  return layer.apply(input) as Tensor
}

function padded(name: string, x: Tensor, padding: number): Tensor {
  return applyLayer(tfl.layers.zeroPadding2d({ padding, name: `${name}.pad` }), x)
}

function buildNode(op: GraphOp, name: string, inputs: Tensor[], inputSize: number, kernelInitializer: Initializer, readsImage: boolean): Tensor {
  const [x] = inputs
  switch (op.kind) {
    case 'conv2d': {
      const same = op.padding > 0 && sameMatchesTorch(inputSize, op.kernelSize, op.stride, op.padding)
      const source = op.padding > 0 && !same ? padded(name, x, op.padding) : x
      const config = { name, filters: op.filters, kernelSize: op.kernelSize, strides: op.stride, padding: same ? ('same' as const) : ('valid' as const), kernelInitializer }
      // Nothing needs the image's gradient; tfjs-layers' fused Conv2D would compute it anyway.
      return applyLayer(readsImage ? new InputConv2D(config) : tfl.layers.conv2d(config), source)
    }
    case 'pool2d': {
      const p = op.padding ?? 0
      // Average pooling counts padded zeros in PyTorch (count_include_pad), which only explicit zeros give.
      const same = p > 0 && op.mode === 'max' && sameMatchesTorch(inputSize, op.poolSize, op.stride, p)
      const source = p > 0 && !same ? padded(name, x, p) : x
      const config = { name, poolSize: op.poolSize, strides: op.stride, padding: same ? ('same' as const) : ('valid' as const) }
      return applyLayer(op.mode === 'max' ? tfl.layers.maxPooling2d(config) : tfl.layers.averagePooling2d(config), source)
    }
    case 'batchNorm':
      // PyTorch's defaults: momentum 0.1 (Keras counts the other way: 0.9) and epsilon 1e-5.
      return applyLayer(batchNormalization({ name, axis: -1, momentum: 0.9, epsilon: 1e-5 }), x)
    case 'activation':
      // PyTorch's LeakyReLU slope is 0.01 (tfjs's default is 0.3).
      if (op.fn === 'leakyRelu') return applyLayer(tfl.layers.leakyReLU({ name, alpha: 0.01 }), x)
      return applyLayer(tfl.layers.activation({ name, activation: op.fn }), x)
    case 'lrn':
      return applyLayer(new LocalResponseNorm({ name, size: op.size, alpha: op.alpha, beta: op.beta, k: op.k }), x)
    case 'globalAvgPool':
      return applyLayer(tfl.layers.globalAveragePooling2d({ name }), x)
    case 'flatten':
      return applyLayer(tfl.layers.flatten({ name }), x)
    case 'dense':
      return applyLayer(tfl.layers.dense({ name, units: op.units, kernelInitializer }), x)
    case 'dropout':
      return applyLayer(tfl.layers.dropout({ name, rate: op.rate }), x)
    case 'concat':
      return applyLayer(tfl.layers.concatenate({ name, axis: -1 }), inputs)
    case 'add':
      return applyLayer(tfl.layers.add({ name }), inputs)
  }
}

export function countTrainableParams(model: tfl.LayersModel): number {
  return model.trainableWeights.reduce((sum, weight) => sum + weight.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0)
}
