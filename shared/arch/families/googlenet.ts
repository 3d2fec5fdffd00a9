import type { LayerSpec } from '../layers'
import { scaled, type ArchitectureFamily, type ArchKnobs, type ResolvedArchOptions } from '../types'
import { BASE_KNOBS, convUnit, dropout } from './common'

type InceptionChannels = readonly [c1: number, c2: readonly [number, number], c3: readonly [number, number], c4: number]

/**
 * The notes' Inception class: four paths (1x1; 1x1 then 3x3; 1x1 then 5x5; 3x3 max pool then 1x1),
 * concatenated. With `reductions` off the 3x3 and 5x5 convolutions read the block's input directly (the
 * naive Inception block of Szegedy et al., Figure 2a): what the 1x1 reductions save, lesson one-by-one-conv.
 */
function inception(name: string, knobs: ArchKnobs, [c1, c2, c3, c4]: InceptionChannels): LayerSpec {
  const s = (c: number) => scaled(c, knobs.width)
  const reduce = (channels: number) => (knobs.reductions ? convUnit(knobs, s(channels), 1) : [])
  return {
    kind: 'concat',
    name,
    branches: [
      convUnit(knobs, s(c1), 1),
      [...reduce(c2[0]), ...convUnit(knobs, s(c2[1]), 3, 1, 1)],
      [...reduce(c3[0]), ...convUnit(knobs, s(c3[1]), 5, 1, 2)],
      [{ kind: 'pool2d', mode: 'max', poolSize: 3, stride: 1, padding: 1 }, ...convUnit(knobs, s(c4), 1)],
    ],
  }
}

const POOL: LayerSpec = { kind: 'pool2d', mode: 'max', poolSize: 3, stride: 2, padding: 1 }

/** The notes' GoogLeNet: stages b1-b5 with the nine Inception blocks, global average pooling, one dense layer. */
function googlenetLayers({ knobs, classes }: ResolvedArchOptions): LayerSpec[] {
  const s = (c: number) => scaled(c, knobs.width)
  const block = (i: number, channels: InceptionChannels) => inception(`inception${i}`, knobs, channels)
  return [
    { kind: 'sequence', name: 'b1', layers: [...convUnit(knobs, s(64), 7, 2, 3), POOL] },
    { kind: 'sequence', name: 'b2', layers: [...convUnit(knobs, s(64), 1), ...convUnit(knobs, s(192), 3, 1, 1), POOL] },
    { kind: 'sequence', name: 'b3', layers: [block(1, [64, [96, 128], [16, 32], 32]), block(2, [128, [128, 192], [32, 96], 64]), POOL] },
    {
      kind: 'sequence',
      name: 'b4',
      layers: [
        block(3, [192, [96, 208], [16, 48], 64]),
        block(4, [160, [112, 224], [24, 64], 64]),
        block(5, [128, [128, 256], [24, 64], 64]),
        block(6, [112, [144, 288], [32, 64], 64]),
        block(7, [256, [160, 320], [32, 128], 128]),
        POOL,
      ],
    },
    {
      kind: 'sequence',
      name: 'b5',
      layers: [block(8, [256, [160, 320], [32, 128], 128]), block(9, [384, [192, 384], [48, 128], 128]), { kind: 'globalAvgPool' }],
    },
    ...dropout(knobs),
    { kind: 'dense', units: classes },
  ]
}

export const googlenet: ArchitectureFamily = {
  name: 'GoogLeNet',
  description: 'The notes\u2019 GoogLeNet (Szegedy et al., 2014): nine Inception blocks and global average pooling.',
  canonical: { inputSize: 96, channels: 1, classes: 10 },
  knobs: ['activation', 'batchNorm', 'dropout', 'reductions', 'width'],
  defaultKnobs: BASE_KNOBS,
  presets: {
    // d2l: Fashion-MNIST resized to 96 px, lr 0.1, batch 128.
    notes: { id: 'notes', label: 'Notes (96 px)', inputSize: 96, knobs: {}, training: { epochs: 10, batchSize: 128, learningRate: 0.1, optimizer: 'sgd' } },
    cpu: {
      id: 'cpu',
      label: 'CPU (32 px, \u00bc width)',
      inputSize: 32,
      knobs: { width: 0.25, batchNorm: true },
      training: { epochs: 5, batchSize: 128, learningRate: 0.05, optimizer: 'momentum' },
    },
  },
  initializer: 'he',
  build: googlenetLayers,
}
