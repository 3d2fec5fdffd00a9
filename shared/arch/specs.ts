/**
 * Architectures as data. The layer lists transcribe the PyTorch code of the course notes
 * (../shared/seed) layer for layer, so parameter counts match it exactly.
 */
export type Activation = 'sigmoid' | 'relu' | 'tanh'

export type LayerSpec =
  | { kind: 'conv2d'; filters: number; kernelSize: number; stride: number; padding: number }
  | { kind: 'activation'; fn: Activation }
  | { kind: 'pool2d'; mode: 'avg' | 'max'; poolSize: number; stride: number }
  | { kind: 'flatten' }
  | { kind: 'dense'; units: number }

export interface InputShape {
  height: number
  width: number
  channels: number
}

export interface TrainingDefaults {
  epochs: number
  batchSize: number
  learningRate: number
  optimizer: OptimizerName
}

export const OPTIMIZER_NAMES = ['sgd', 'momentum', 'adam'] as const
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number]

export interface ArchitectureSpec {
  id: ArchitectureId
  name: string
  description: string
  input: InputShape
  classes: number
  layers: LayerSpec[]
  defaults: TrainingDefaults
}

export const ARCHITECTURE_IDS = ['lenet5', 'lenet-relu'] as const
export type ArchitectureId = (typeof ARCHITECTURE_IDS)[number]

function lenetLayers(fn: Activation, pool: 'avg' | 'max', classes: number): LayerSpec[] {
  return [
    { kind: 'conv2d', filters: 6, kernelSize: 5, stride: 1, padding: 2 },
    { kind: 'activation', fn },
    { kind: 'pool2d', mode: pool, poolSize: 2, stride: 2 },
    { kind: 'conv2d', filters: 16, kernelSize: 5, stride: 1, padding: 0 },
    { kind: 'activation', fn },
    { kind: 'pool2d', mode: pool, poolSize: 2, stride: 2 },
    { kind: 'flatten' },
    { kind: 'dense', units: 120 },
    { kind: 'activation', fn },
    { kind: 'dense', units: 84 },
    { kind: 'activation', fn },
    { kind: 'dense', units: classes },
  ]
}

const MNIST_INPUT: InputShape = { height: 28, width: 28, channels: 1 }

export const ARCHITECTURES: Record<ArchitectureId, ArchitectureSpec> = {
  lenet5: {
    id: 'lenet5',
    name: 'LeNet-5',
    description: 'The notes\u2019 LeNet: sigmoid activations and average pooling (LeCun et al., 1998).',
    input: MNIST_INPUT,
    classes: 10,
    layers: lenetLayers('sigmoid', 'avg', 10),
    // The notes train it with plain SGD at lr 0.9, batch 256: sigmoid needs a large step.
    defaults: { epochs: 10, batchSize: 256, learningRate: 0.9, optimizer: 'sgd' },
  },
  'lenet-relu': {
    id: 'lenet-relu',
    name: 'LeNet (ReLU, max pooling)',
    description: 'The notes\u2019 exercise: LeNet with ReLU activations and max pooling; trains much faster.',
    input: MNIST_INPUT,
    classes: 10,
    layers: lenetLayers('relu', 'max', 10),
    defaults: { epochs: 5, batchSize: 128, learningRate: 0.05, optimizer: 'momentum' },
  },
}

export function getArchitecture(id: ArchitectureId): ArchitectureSpec {
  return ARCHITECTURES[id]
}
