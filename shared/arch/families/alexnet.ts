import type { LayerSpec } from '../vocabulary/layers'
import { scaled, type ArchitectureFamily, type ResolvedArchOptions } from '../vocabulary/types'
import { BASE_KNOBS, convUnit, denseUnit } from './common'

/** The original paper's normalisation: PyTorch's nn.LocalResponseNorm(size=5, alpha=1e-4, beta=0.75, k=2). */
const LRN: LayerSpec = { kind: 'lrn', size: 5, alpha: 1e-4, beta: 0.75, k: 2 }

/**
 * The notes' AlexNet: 11x11 stride-4 padding-1 first layer, 6,400-wide flatten at 224x224, two dropout
 * dense layers of 4,096. LRN (off by default, as in the notes' code) follows the first two activations.
 */
function alexnetLayers({ knobs, classes }: ResolvedArchOptions): LayerSpec[] {
  const w = knobs.width
  const pool: LayerSpec = { kind: 'pool2d', mode: knobs.pooling, poolSize: 3, stride: 2 }
  const lrn = knobs.lrn ? [LRN] : []
  return [
    { kind: 'sequence', name: 'conv1', layers: [...convUnit(knobs, scaled(96, w), 11, 4, 1), ...lrn, pool] },
    { kind: 'sequence', name: 'conv2', layers: [...convUnit(knobs, scaled(256, w), 5, 1, 2), ...lrn, pool] },
    {
      kind: 'sequence',
      name: 'conv3-5',
      layers: [
        ...convUnit(knobs, scaled(384, w), 3, 1, 1),
        ...convUnit(knobs, scaled(384, w), 3, 1, 1),
        ...convUnit(knobs, scaled(256, w), 3, 1, 1),
        pool,
      ],
    },
    {
      kind: 'sequence',
      name: 'classifier',
      layers: [{ kind: 'flatten' }, ...denseUnit(knobs, scaled(4096, w)), ...denseUnit(knobs, scaled(4096, w)), { kind: 'dense', units: classes }],
    },
  ]
}

export const alexnet: ArchitectureFamily = {
  name: 'AlexNet',
  description: 'The notes\u2019 AlexNet (Krizhevsky et al., 2012): ReLU, max pooling, dropout; optional LRN.',
  canonical: { inputSize: 224, channels: 1, classes: 1000 },
  knobs: ['activation', 'pooling', 'batchNorm', 'dropout', 'lrn', 'width'],
  defaultKnobs: { ...BASE_KNOBS, dropout: 0.5 },
  presets: {
    notes: { id: 'notes', label: 'Notes (224 px)', inputSize: 224, knobs: {}, training: { epochs: 10, batchSize: 128, learningRate: 0.01, optimizer: 'sgd' } },
    cpu: {
      id: 'cpu',
      label: 'CPU (96 px, \u00bc width)',
      inputSize: 96,
      knobs: { width: 0.25 },
      training: { epochs: 5, batchSize: 128, learningRate: 0.01, optimizer: 'momentum' },
    },
  },
  initializer: 'he',
  build: alexnetLayers,
}
