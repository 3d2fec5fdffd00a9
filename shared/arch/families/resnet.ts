import type { LayerSpec } from '../vocabulary/layers'
import { scaled, type ArchitectureFamily, type ArchKnobs, type ResolvedArchOptions } from '../vocabulary/types'
import { BASE_KNOBS, conv, convUnit } from './common'

function norm(knobs: ArchKnobs): LayerSpec[] {
  return knobs.batchNorm ? [{ kind: 'batchNorm' }] : []
}

/**
 * A residual block as the notes' Residual class: body, shortcut (identity, or a 1x1 convolution with
 * the body's stride where the shape changes), addition, activation. Residual off drops the shortcut.
 */
function residual(name: string, knobs: ArchKnobs, body: LayerSpec[], projection: LayerSpec | null): LayerSpec {
  return {
    kind: 'residual',
    name,
    body,
    shortcut: knobs.residual ? (projection ? [projection] : []) : null,
    after: [{ kind: 'activation', fn: knobs.activation }],
  }
}

/** Two 3x3 convolutions (ResNet-18/34). */
function basicBlock(name: string, knobs: ArchKnobs, inChannels: number, channels: number, stride: number): LayerSpec {
  const body = [...convUnit(knobs, channels, 3, stride, 1), conv(channels, 3, 1, 1), ...norm(knobs)]
  const projection = stride !== 1 || inChannels !== channels ? conv(channels, 1, stride) : null
  return residual(name, knobs, body, projection)
}

/** 1x1 reduce, 3x3 (carrying the stride), 1x1 expand to 4x (ResNet-50), in the notes' Residual style. */
function bottleneckBlock(name: string, knobs: ArchKnobs, inChannels: number, channels: number, stride: number): LayerSpec {
  const out = channels * 4
  const body = [...convUnit(knobs, channels, 1), ...convUnit(knobs, channels, 3, stride, 1), conv(out, 1), ...norm(knobs)]
  const projection = stride !== 1 || inChannels !== out ? conv(out, 1, stride) : null
  return residual(name, knobs, body, projection)
}

/**
 * The notes' ResNet: b1 (7x7 stride-2 convolution, batch norm, 3x3 stride-2 max pooling), four stages
 * b2-b5 of residual blocks, the first of b3-b5 halving the size, then global average pooling and a
 * dense layer. `blocks` gives each stage's block count.
 */
function resnetLayers(blocks: readonly number[], bottleneck: boolean) {
  return ({ knobs, classes }: ResolvedArchOptions): LayerSpec[] => {
    const stem = scaled(64, knobs.width)
    const layers: LayerSpec[] = [
      { kind: 'sequence', name: 'b1', layers: [...convUnit(knobs, stem, 7, 2, 3), { kind: 'pool2d', mode: 'max', poolSize: 3, stride: 2, padding: 1 }] },
    ]
    let inChannels = stem
    blocks.forEach((count, stage) => {
      const channels = scaled(64 * 2 ** stage, knobs.width)
      const stageLayers: LayerSpec[] = []
      for (let i = 0; i < count; i++) {
        const stride = i === 0 && stage > 0 ? 2 : 1
        const make = bottleneck ? bottleneckBlock : basicBlock
        stageLayers.push(make(`res${i + 1}`, knobs, inChannels, channels, stride))
        inChannels = bottleneck ? channels * 4 : channels
      }
      layers.push({ kind: 'sequence', name: `b${stage + 2}`, layers: stageLayers })
    })
    layers.push({ kind: 'globalAvgPool' }, { kind: 'dense', units: classes })
    return layers
  }
}

function resnetFamily(depth: number, blocks: readonly number[], bottleneck: boolean): ArchitectureFamily {
  return {
    name: `ResNet-${depth}`,
    description: bottleneck
      ? `ResNet-${depth} (He et al., 2015) with bottleneck blocks (1x1, 3x3, 1x1 at 4x width), in the notes\u2019 Residual style.`
      : `ResNet-${depth} (He et al., 2015): the notes\u2019 residual blocks with 1x1 projection shortcuts where shapes change.`,
    canonical: { inputSize: 96, channels: 1, classes: 10 },
    knobs: ['activation', 'batchNorm', 'residual', 'width'],
    defaultKnobs: { ...BASE_KNOBS, batchNorm: true },
    presets: {
      // d2l: Fashion-MNIST resized to 96 px, lr 0.05, batch 256.
      notes: { id: 'notes', label: 'Notes (96 px)', inputSize: 96, knobs: {}, training: { epochs: 10, batchSize: 256, learningRate: 0.05, optimizer: 'sgd' } },
      cpu: {
        id: 'cpu',
        label: 'CPU (32 px, \u00bc width)',
        inputSize: 32,
        knobs: { width: 0.25 },
        training: { epochs: 5, batchSize: 128, learningRate: 0.05, optimizer: 'momentum' },
      },
    },
    initializer: 'he',
    build: resnetLayers(blocks, bottleneck),
  }
}

export const resnet18 = resnetFamily(18, [2, 2, 2, 2], false)
export const resnet34 = resnetFamily(34, [3, 4, 6, 3], false)
export const resnet50 = resnetFamily(50, [3, 4, 6, 3], true)
