import { isBlock, type LayerSpec, type PrimitiveLayer } from './vocabulary/layers'

/** What the Models view draws: rows of stages, each a strip of layers and composite blocks. */
export type DiagramItem =
  | { type: 'layer'; label: string; kind: PrimitiveLayer['kind'] }
  | { type: 'concat'; name: string; branches: string[][] }
  | { type: 'residual'; name: string; body: string[]; shortcut: string[] | null; after: string[] }

export interface DiagramStage {
  name: string
  items: DiagramItem[]
}

/** A layer in a few characters: `5×5 conv 6`, `/2` for strides, `max 3×3`. */
export function shortLabel(layer: PrimitiveLayer): string {
  const stride = (s: number) => (s > 1 ? ` /${s}` : '')
  switch (layer.kind) {
    case 'conv2d':
      return `${layer.kernelSize}\u00d7${layer.kernelSize} conv ${layer.filters}${stride(layer.stride)}`
    case 'pool2d':
      return `${layer.mode} ${layer.poolSize}\u00d7${layer.poolSize}${stride(layer.stride)}`
    case 'batchNorm':
      return 'BN'
    case 'activation':
      return layer.fn === 'leakyRelu' ? 'leaky' : layer.fn === 'relu' ? 'ReLU' : layer.fn
    case 'globalAvgPool':
      return 'global avg'
    case 'flatten':
      return 'flatten'
    case 'dense':
      return `dense ${layer.units}`
    case 'dropout':
      return `dropout ${layer.rate}`
    case 'lrn':
      return 'LRN'
  }
}

function labels(layers: LayerSpec[]): string[] {
  return layers.flatMap((layer) => (isBlock(layer) ? [layer.name] : [shortLabel(layer)]))
}

function item(layer: LayerSpec): DiagramItem[] {
  switch (layer.kind) {
    case 'sequence':
      return layer.layers.flatMap(item)
    case 'concat':
      return [{ type: 'concat', name: layer.name, branches: layer.branches.map(labels) }]
    case 'residual':
      return [{ type: 'residual', name: layer.name, body: labels(layer.body), shortcut: layer.shortcut && labels(layer.shortcut), after: labels(layer.after) }]
    default:
      return [{ type: 'layer', label: shortLabel(layer), kind: layer.kind }]
  }
}

/** Top-level sequences become stages; consecutive top-level layers outside any share one. */
export function diagramStages(layers: LayerSpec[]): DiagramStage[] {
  const stages: DiagramStage[] = []
  let loose: DiagramStage | undefined
  for (const layer of layers) {
    if (layer.kind === 'sequence') {
      loose = undefined
      stages.push({ name: layer.name, items: item(layer) })
    } else {
      if (!loose) {
        loose = { name: stages.length ? 'head' : 'layers', items: [] }
        stages.push(loose)
      }
      loose.items.push(...item(layer))
    }
  }
  return stages
}
