import type { LayerSpec } from '../vocabulary/layers'
import { scaled, type ArchitectureFamily, type ArchKnobs, type ArchPreset, type TrainingDefaults } from '../vocabulary/types'
import { BASE_KNOBS, conv, dropout, normAct } from './common'

/**
 * The notes' LeNet-5 (nn.Sequential of code exercise 1), layer for layer. Batch norm, when on, follows
 * each convolution and hidden dense layer before its activation (d2l's BN-LeNet); dropout follows the
 * hidden dense layers.
 */
function lenetLayers({ knobs, classes }: { knobs: ArchKnobs; classes: number }): LayerSpec[] {
  const w = knobs.width
  return [
    conv(scaled(6, w), 5, 1, 2),
    ...normAct(knobs),
    { kind: 'pool2d', mode: knobs.pooling, poolSize: 2, stride: 2 },
    conv(scaled(16, w), 5),
    ...normAct(knobs),
    { kind: 'pool2d', mode: knobs.pooling, poolSize: 2, stride: 2 },
    { kind: 'flatten' },
    { kind: 'dense', units: scaled(120, w) },
    ...normAct(knobs),
    ...dropout(knobs),
    { kind: 'dense', units: scaled(84, w) },
    ...normAct(knobs),
    ...dropout(knobs),
    { kind: 'dense', units: classes },
  ]
}

const CANONICAL = { inputSize: 28, channels: 1, classes: 10 }
const KNOBS = ['activation', 'pooling', 'batchNorm', 'dropout', 'width'] as const

function presets(training: TrainingDefaults): Record<'notes' | 'cpu', ArchPreset> {
  // LeNet is already small: the notes' setting is the CPU setting.
  return {
    notes: { id: 'notes', label: 'Notes (28 px)', inputSize: 28, knobs: {}, training },
    cpu: { id: 'cpu', label: 'CPU (28 px)', inputSize: 28, knobs: {}, training },
  }
}

export const lenet5: ArchitectureFamily = {
  name: 'LeNet-5',
  description: 'The notes\u2019 LeNet: sigmoid activations and average pooling (LeCun et al., 1998).',
  canonical: CANONICAL,
  knobs: KNOBS,
  defaultKnobs: { ...BASE_KNOBS, activation: 'sigmoid', pooling: 'avg' },
  // The notes train it with plain SGD at lr 0.9, batch 256: sigmoid needs a large step.
  presets: presets({ epochs: 10, batchSize: 256, learningRate: 0.9, optimizer: 'sgd' }),
  initializer: 'glorot',
  build: lenetLayers,
}

export const lenetRelu: ArchitectureFamily = {
  name: 'LeNet (ReLU, max pooling)',
  description: 'The notes\u2019 exercise: LeNet with ReLU activations and max pooling; trains much faster.',
  canonical: CANONICAL,
  knobs: KNOBS,
  defaultKnobs: { ...BASE_KNOBS, activation: 'relu', pooling: 'max' },
  // Measured here: Adam 0.002, batch 64, cosine decay reaches 99.15% on MNIST in 5 epochs (momentum 0.05 with
  // batch 128: 98.87%, with cosine 98.83%).
  presets: presets({ epochs: 5, batchSize: 64, learningRate: 0.002, optimizer: 'adam', lrSchedule: 'cosine' }),
  initializer: 'glorot',
  build: lenetLayers,
}

export const bnLenet: ArchitectureFamily = {
  name: 'LeNet with batch norm',
  description: 'LeNet-5 with batch normalisation after every convolution and hidden dense layer (d2l\u2019s BN-LeNet).',
  canonical: CANONICAL,
  knobs: KNOBS,
  defaultKnobs: { ...BASE_KNOBS, activation: 'sigmoid', pooling: 'avg', batchNorm: true },
  // d2l trains it at lr 1.0, batch 256: batch norm tolerates the large step.
  presets: presets({ epochs: 10, batchSize: 256, learningRate: 1.0, optimizer: 'sgd' }),
  initializer: 'glorot',
  build: lenetLayers,
}
