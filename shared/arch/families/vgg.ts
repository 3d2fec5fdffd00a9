import type { LayerSpec } from '../vocabulary/layers'
import { scaled, type ArchitectureFamily, type ResolvedArchOptions } from '../vocabulary/types'
import { BASE_KNOBS, convUnit, denseUnit } from './common'

/** (convolutions, channels) per block, the notes' conv_arch table. */
const CONV_ARCH = {
  vgg11: [[1, 64], [1, 128], [2, 256], [2, 512], [2, 512]],
  vgg13: [[2, 64], [2, 128], [2, 256], [2, 512], [2, 512]],
  vgg16: [[2, 64], [2, 128], [3, 256], [3, 512], [3, 512]],
  vgg19: [[2, 64], [2, 128], [4, 256], [4, 512], [4, 512]],
} as const
export type VggId = keyof typeof CONV_ARCH

/** The notes' vgg(): VGG blocks of 3x3 padding-1 convolutions, each closed by a 2x2 stride-2 pooling. */
function vggLayers(id: VggId) {
  return ({ knobs, classes }: ResolvedArchOptions): LayerSpec[] => {
    const w = knobs.width
    const blocks: LayerSpec[] = CONV_ARCH[id].map(([convs, channels], i) => ({
      kind: 'sequence',
      name: `block${i + 1}`,
      layers: [
        ...Array.from({ length: convs }, () => convUnit(knobs, scaled(channels, w), 3, 1, 1)).flat(),
        { kind: 'pool2d', mode: knobs.pooling, poolSize: 2, stride: 2 },
      ],
    }))
    return [
      ...blocks,
      {
        kind: 'sequence',
        name: 'classifier',
        layers: [{ kind: 'flatten' }, ...denseUnit(knobs, scaled(4096, w)), ...denseUnit(knobs, scaled(4096, w)), { kind: 'dense', units: classes }],
      },
    ]
  }
}

function vggFamily(id: VggId, depth: number): ArchitectureFamily {
  return {
    name: `VGG-${depth}`,
    description: `VGG-${depth} (Simonyan & Zisserman, 2014) from the notes\u2019 VGG blocks; the width knob is d2l\u2019s channel ratio.`,
    canonical: { inputSize: 224, channels: 1, classes: 10 },
    knobs: ['activation', 'pooling', 'batchNorm', 'dropout', 'width'],
    defaultKnobs: { ...BASE_KNOBS, dropout: 0.5 },
    presets: {
      // d2l trains VGG-11 at 224 px with lr 0.05, batch 128.
      notes: { id: 'notes', label: 'Notes (224 px)', inputSize: 224, knobs: {}, training: { epochs: 10, batchSize: 128, learningRate: 0.05, optimizer: 'sgd' } },
      cpu: {
        id: 'cpu',
        label: 'CPU (32 px, \u215b width)',
        inputSize: 32,
        knobs: { width: 0.125 },
        training: { epochs: 5, batchSize: 128, learningRate: 0.02, optimizer: 'momentum' },
      },
    },
    initializer: 'he',
    build: vggLayers(id),
  }
}

export const vgg11 = vggFamily('vgg11', 11)
export const vgg13 = vggFamily('vgg13', 13)
export const vgg16 = vggFamily('vgg16', 16)
export const vgg19 = vggFamily('vgg19', 19)
