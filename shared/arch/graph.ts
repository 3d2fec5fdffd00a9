import type { LayerSpec, PrimitiveLayer } from './vocabulary/layers'

/** A node's operation: a primitive layer, or where branches meet. */
export type GraphOp = PrimitiveLayer | { kind: 'concat' } | { kind: 'add' }

export interface GraphNode {
  /** Unique and stable, e.g. `b3.inception1.p2.conv2`; the TensorFlow.js layer gets the same name. */
  name: string
  op: GraphOp
  /** Names of the nodes it reads; `input` is the image. */
  inputs: string[]
  /** The enclosing blocks, outermost first, e.g. ['b3', 'b3.inception1', 'b3.inception1.p2']. */
  blocks: string[]
  /** Depth-first position among the spec's layers; seeds the node's initializer. */
  index: number
}

export const INPUT_NAME = 'input'

const SHORT_NAMES: Record<GraphOp['kind'], string> = {
  conv2d: 'conv',
  batchNorm: 'bn',
  activation: 'act',
  pool2d: 'pool',
  globalAvgPool: 'gap',
  flatten: 'flatten',
  dense: 'dense',
  dropout: 'dropout',
  lrn: 'lrn',
  concat: 'concat',
  add: 'add',
}

/**
 * Flattens a block-structured spec into a graph in topological order: the single source both the
 * inspector math and the model factory walk, so their layers correspond one to one by name.
 */
export function toGraph(layers: LayerSpec[]): GraphNode[] {
  const nodes: GraphNode[] = []
  let index = 0

  /** Per scope, how many nodes of each kind were named so far. */
  const counters = new Map<string, Map<string, number>>()
  const nameIn = (scope: string, kind: GraphOp['kind']): string => {
    const counts = counters.get(scope) ?? new Map<string, number>()
    counters.set(scope, counts)
    const short = SHORT_NAMES[kind]
    const n = (counts.get(short) ?? 0) + 1
    counts.set(short, n)
    return scope ? `${scope}.${short}${n}` : `${short}${n}`
  }
  const scoped = (scope: string, name: string) => (scope ? `${scope}.${name}` : name)

  const walk = (specs: LayerSpec[], from: string, scope: string, blocks: string[]): string => {
    let current = from
    for (const layer of specs) {
      switch (layer.kind) {
        case 'sequence': {
          const name = scoped(scope, layer.name)
          current = walk(layer.layers, current, name, [...blocks, name])
          break
        }
        case 'concat': {
          const name = scoped(scope, layer.name)
          const ends = layer.branches.map((branch, i) => {
            const branchName = `${name}.p${i + 1}`
            return walk(branch, current, branchName, [...blocks, name, branchName])
          })
          nodes.push({ name: `${name}.concat`, op: { kind: 'concat' }, inputs: ends, blocks: [...blocks, name], index: index++ })
          current = `${name}.concat`
          break
        }
        case 'residual': {
          const name = scoped(scope, layer.name)
          const inner = [...blocks, name]
          const bodyEnd = walk(layer.body, current, name, inner)
          if (layer.shortcut) {
            const shortcutName = `${name}.shortcut`
            const shortcutEnd = layer.shortcut.length ? walk(layer.shortcut, current, shortcutName, [...inner, shortcutName]) : current
            nodes.push({ name: `${name}.add`, op: { kind: 'add' }, inputs: [bodyEnd, shortcutEnd], blocks: inner, index: index++ })
            current = walk(layer.after, `${name}.add`, name, inner)
          } else {
            current = walk(layer.after, bodyEnd, name, inner)
          }
          break
        }
        default: {
          const name = nameIn(scope, layer.kind)
          nodes.push({ name, op: layer, inputs: [current], blocks, index: index++ })
          current = name
        }
      }
    }
    return current
  }
  walk(layers, INPUT_NAME, '', [])
  return nodes
}
