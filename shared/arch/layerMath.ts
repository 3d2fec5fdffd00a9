import { INPUT_NAME, toGraph, type GraphNode, type GraphOp } from './graph'
import type { LayerSpec } from './vocabulary/layers'
import type { InputShape } from './vocabulary/types'

/** One row of the inspector: what a node turns its input into, following the notes' formulas. */
export interface LayerInfo extends GraphNode {
  /** [height, width, channels] for feature maps, [features] after flatten; null when it cannot be built. */
  outputShape: number[] | null
  /** Trainable parameters (weights, biases, batch norm's scale and shift). */
  params: number
  /** Batch norm's running mean and variance: stored, not trained. */
  nonTrainableParams: number
  /** Multiply-adds for one sample (convolutions and dense layers; the rest are comparatively free). */
  macs: number
  /** Side of the input window one output unit sees, and the input step between neighbouring units. */
  receptiveField: number
  jump: number
  /** Bytes of this layer's float32 output for one sample. */
  activationBytes: number
  /** Why this layer cannot be built with the shapes it receives; only the first failing layer has one. */
  problem?: string
}

export interface ModelInfo {
  input: InputShape
  layers: LayerInfo[]
  totalParams: number
  nonTrainableParams: number
  totalMacs: number
  activationBytes: number
  outputShape: number[] | null
  problems: { layer: string; message: string }[]
}

/** floor((n + 2p - k) / s) + 1, the notes' output-size formula. */
export function convOutputSize(n: number, kernel: number, padding: number, stride: number): number {
  return Math.floor((n + 2 * padding - kernel) / stride) + 1
}

/**
 * TensorFlow's 'same' padding puts floor(total / 2) before; equal to PyTorch's p when that is p and sizes
 * agree. The model factory uses 'same' then and explicit zero padding otherwise; exporters mirror that choice.
 */
export function sameMatchesTorch(n: number, k: number, s: number, p: number): boolean {
  const out = Math.ceil(n / s)
  const total = Math.max((out - 1) * s + k - n, 0)
  return out === convOutputSize(n, k, p, s) && Math.floor(total / 2) === p
}

interface NodeState {
  shape: number[] | null
  receptiveField: number
  jump: number
}

const product = (shape: number[]) => shape.reduce((a, b) => a * b, 1)
const describeShape = (shape: number[]) => (shape.length === 3 ? `${shape[0]}x${shape[1]}x${shape[2]}` : `${shape.join('x')}`)

type Outcome = { shape: number[]; params?: number; nonTrainable?: number; macs?: number; kernel?: number; stride?: number } | { problem: string }

/** Output of one node from its inputs' shapes, or why it cannot be computed. */
function apply(op: GraphOp, inputs: number[][]): Outcome {
  const [x] = inputs
  const spatial = (what: string): string | undefined =>
    x.length === 3 ? undefined : `${what} needs a feature map (height x width x channels), but gets a flat vector of ${x[0]}`
  switch (op.kind) {
    case 'conv2d':
    case 'pool2d': {
      const isConv = op.kind === 'conv2d'
      const k = isConv ? op.kernelSize : op.poolSize
      const p = op.padding ?? 0
      const notSpatial = spatial(isConv ? 'a convolution' : 'pooling')
      if (notSpatial) return { problem: notSpatial }
      const [h, w, c] = x
      const oh = convOutputSize(h, k, p, op.stride)
      const ow = convOutputSize(w, k, p, op.stride)
      if (oh < 1 || ow < 1) {
        return {
          problem:
            `the ${h}x${w} input is smaller than this ${k}x${k} window` +
            (p ? ` even with padding ${p}` : '') +
            `: floor((${h} + 2*${p} - ${k}) / ${op.stride}) + 1 = ${oh}. Use a larger input size.`,
        }
      }
      if (!isConv) return { shape: [oh, ow, c], kernel: k, stride: op.stride }
      return {
        shape: [oh, ow, op.filters],
        params: k * k * c * op.filters + op.filters,
        macs: oh * ow * op.filters * k * k * c,
        kernel: k,
        stride: op.stride,
      }
    }
    case 'batchNorm': {
      const c = x[x.length - 1]
      return { shape: x, params: 2 * c, nonTrainable: 2 * c }
    }
    case 'lrn': {
      const notSpatial = spatial('local response normalisation')
      return notSpatial ? { problem: notSpatial } : { shape: x }
    }
    case 'activation':
    case 'dropout':
      return { shape: x }
    case 'globalAvgPool': {
      const notSpatial = spatial('global average pooling')
      return notSpatial ? { problem: notSpatial } : { shape: [x[2]], kernel: x[0], stride: 1 }
    }
    case 'flatten':
      return { shape: [product(x)], kernel: x.length === 3 ? x[0] : 1, stride: 1 }
    case 'dense':
      if (x.length !== 1) return { problem: `a dense layer needs a flat vector, but gets a ${describeShape(x)} feature map` }
      return { shape: [op.units], params: x[0] * op.units + op.units, macs: x[0] * op.units }
    case 'concat': {
      const first = inputs[0]
      const mismatch = inputs.find((s) => s.length !== 3 || s[0] !== first[0] || s[1] !== first[1])
      if (mismatch) return { problem: `branches must keep the same height and width to be concatenated: ${inputs.map(describeShape).join(', ')}` }
      return { shape: [first[0], first[1], inputs.reduce((sum, s) => sum + s[2], 0)] }
    }
    case 'add': {
      const [a, b] = inputs
      if (a.length !== b.length || a.some((d, i) => d !== b[i])) {
        return { problem: `the block's output ${describeShape(a)} and its shortcut ${describeShape(b)} differ, so they cannot be added` }
      }
      return { shape: a }
    }
  }
}

/**
 * The inspector: for every layer of a spec at an input size, its output shape, parameters,
 * multiply-adds, receptive field and jump, and activation memory; then totals. A layer that cannot be
 * built (a size below 1, shapes that cannot be added) is reported as data at that layer, never thrown;
 * the layers after it have no shape.
 */
export function analyzeModel(spec: { layers: LayerSpec[] }, input: InputShape): ModelInfo {
  const states = new Map<string, NodeState>([[INPUT_NAME, { shape: [input.height, input.width, input.channels], receptiveField: 1, jump: 1 }]])
  const problems: ModelInfo['problems'] = []
  const layers: LayerInfo[] = toGraph(spec.layers).map((node) => {
    const ins = node.inputs.map((name) => states.get(name)!)
    const receptiveField = Math.max(...ins.map((s) => s.receptiveField))
    const jump = Math.max(...ins.map((s) => s.jump))
    const row: LayerInfo = { ...node, outputShape: null, params: 0, nonTrainableParams: 0, macs: 0, receptiveField, jump, activationBytes: 0 }
    const shapes = ins.map((s) => s.shape)
    if (shapes.every((s): s is number[] => s !== null)) {
      const outcome = apply(node.op, shapes)
      if ('problem' in outcome) {
        row.problem = outcome.problem
        problems.push({ layer: node.name, message: outcome.problem })
      } else {
        row.outputShape = outcome.shape
        row.params = outcome.params ?? 0
        row.nonTrainableParams = outcome.nonTrainable ?? 0
        row.macs = outcome.macs ?? 0
        row.activationBytes = product(outcome.shape) * 4
        if (outcome.kernel !== undefined) {
          row.receptiveField = receptiveField + (outcome.kernel - 1) * jump
          row.jump = jump * (outcome.stride ?? 1)
        }
      }
    }
    states.set(node.name, { shape: row.outputShape, receptiveField: row.receptiveField, jump: row.jump })
    return row
  })
  const sum = (pick: (l: LayerInfo) => number) => layers.reduce((total, l) => total + pick(l), 0)
  return {
    input,
    layers,
    totalParams: sum((l) => l.params),
    nonTrainableParams: sum((l) => l.nonTrainableParams),
    totalMacs: sum((l) => l.macs),
    activationBytes: sum((l) => l.activationBytes),
    outputShape: layers.length ? layers[layers.length - 1].outputShape : [input.height, input.width, input.channels],
    problems,
  }
}
