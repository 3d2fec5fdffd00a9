/**
 * A trained network as an ONNX graph (opset 13, standard operators only, NCHW), built from the same
 * architecture graph the model factory walks, as plain objects shaped like onnx.proto's messages; the
 * main process encodes them (main/exchange/onnxFile.ts).
 */
import type { LayerInfo, ModelInfo } from '../arch/layerMath'
import { INPUT_NAME } from '../arch/graph'
import { hasNegativeActivations, zeroPaddedMaxPool } from './poolPadding'
import type { TorchParameters } from './torchWeights'

export const ONNX_OPSET = 13
/** IR version 7 is the one that goes with opset 13; older runtimes and checkers accept it. */
export const ONNX_IR_VERSION = 7
export const ONNX_OUTPUTS = { logits: 'logits', probabilities: 'probabilities' } as const

const FLOAT = 1
const ATTRIBUTE = { FLOAT: 1, INT: 2, INTS: 7 } as const

export interface OnnxAttribute {
  name: string
  type: number
  f?: number
  i?: number
  ints?: number[]
}
export interface OnnxNode {
  name: string
  opType: string
  input: string[]
  output: string[]
  attribute: OnnxAttribute[]
}
export interface OnnxTensor {
  name: string
  dims: number[]
  dataType: number
  rawData?: Uint8Array
  int64Data?: number[]
}
interface OnnxValueInfo {
  name: string
  type: { tensorType: { elemType: number; shape: { dim: ({ dimValue: number } | { dimParam: string })[] } } }
}
export interface OnnxModel {
  irVersion: number
  opsetImport: { domain: string; version: number }[]
  producerName: string
  producerVersion: string
  graph: { name: string; node: OnnxNode[]; initializer: OnnxTensor[]; input: OnnxValueInfo[]; output: OnnxValueInfo[] }
  metadataProps: { key: string; value: string }[]
}

const ints = (name: string, values: number[]): OnnxAttribute => ({ name, type: ATTRIBUTE.INTS, ints: values })
const int = (name: string, value: number): OnnxAttribute => ({ name, type: ATTRIBUTE.INT, i: value })
const float = (name: string, value: number): OnnxAttribute => ({ name, type: ATTRIBUTE.FLOAT, f: value })

function floatTensor(name: string, dims: number[], values: Float32Array): OnnxTensor {
  // raw_data is little-endian float32, which is how every platform we run on stores a Float32Array.
  return { name, dims, dataType: FLOAT, rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) }
}

function valueInfo(name: string, dims: (number | string)[]): OnnxValueInfo {
  return { name, type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } } }
}

const ACTIVATION_OPS = { relu: 'Relu', sigmoid: 'Sigmoid', tanh: 'Tanh', leakyRelu: 'LeakyRelu' } as const

/** Where each node's output lives, and the nodes and constants that compute it. */
class GraphBuilder {
  readonly nodes: OnnxNode[] = []
  readonly initializers: OnnxTensor[] = []
  private readonly tensorOf = new Map<string, string>([[INPUT_NAME, INPUT_NAME]])

  constructor(
    private readonly parameters: ReadonlyMap<string, TorchParameters>,
    /** Whether any activation can go below zero (see poolPadding.ts). */
    readonly negativeInputs: boolean,
  ) {}

  input(node: LayerInfo, i = 0): string {
    return this.tensorOf.get(node.inputs[i])!
  }
  alias(node: LayerInfo, tensor: string): void {
    this.tensorOf.set(node.name, tensor)
  }
  emit(opType: string, name: string, input: string[], attribute: OnnxAttribute[] = [], output = name): string {
    this.nodes.push({ name, opType, input, output: [output], attribute })
    return output
  }
  /** The node's PyTorch-layout tensors as initializers named `<node>.<weight|bias|...>`, in `names` order. */
  weights(node: LayerInfo, names: string[]): string[] {
    const tensors = this.parameters.get(node.name)!.tensors
    return names.map((wanted) => {
      const tensor = tensors.find((t) => t.name === wanted)!
      const name = `${node.name}.${tensor.name}`
      this.initializers.push(floatTensor(name, tensor.shape, tensor.values))
      return name
    })
  }
  /**
   * Max pooling over a zero-padded input. Not Pad then MaxPool: ONNX Runtime's optimizer (its Pad fusion,
   * microsoft/onnxruntime#18136; onnx-simplifier has the same bug, onnxsim#290) fuses those into
   * one MaxPool whose padding never wins (as if it were -inf), which changes the answer where a window
   * near the border holds only negative values. Instead the pooled value of every window that reaches
   * into the padding is raised to at least zero, which is what the zeros there would do.
   */
  zeroPaddedMaxPool(name: string, input: string, side: number, k: number, s: number, p: number): string {
    const out = Math.floor((side + 2 * p - k) / s) + 1
    const reachesPadding = (i: number) => i * s - p < 0 || i * s - p + k > side
    const floor = new Float32Array(out * out)
    for (let y = 0; y < out; y++) for (let x = 0; x < out; x++) floor[y * out + x] = reachesPadding(y) || reachesPadding(x) ? 0 : -3.4028234663852886e38
    this.initializers.push(floatTensor(`${name}.padding_floor`, [1, 1, out, out], floor))
    const pooled = this.emit('MaxPool', `${name}.pool`, [input], [ints('kernel_shape', [k, k]), ints('strides', [s, s]), ints('pads', [p, p, p, p])])
    return this.emit('Max', name, [pooled, `${name}.padding_floor`])
  }
}

/** The ONNX nodes for one graph node; the tensor they leave is the node's output. */
function emitNode(g: GraphBuilder, node: LayerInfo, inputSide: number): void {
  const { op, name } = node
  const x = g.input(node)
  switch (op.kind) {
    case 'conv2d': {
      const p = op.padding
      const attrs = [ints('kernel_shape', [op.kernelSize, op.kernelSize]), ints('strides', [op.stride, op.stride]), ints('pads', [p, p, p, p])]
      return g.alias(node, g.emit('Conv', name, [x, ...g.weights(node, ['weight', 'bias'])], attrs))
    }
    case 'pool2d': {
      const p = op.padding ?? 0
      const window = [ints('kernel_shape', [op.poolSize, op.poolSize]), ints('strides', [op.stride, op.stride])]
      if (op.mode === 'avg') return g.alias(node, g.emit('AveragePool', name, [x], [...window, ints('pads', [p, p, p, p]), int('count_include_pad', 1)]))
      if (zeroPaddedMaxPool(op, inputSide, g.negativeInputs)) return g.alias(node, g.zeroPaddedMaxPool(name, x, inputSide, op.poolSize, op.stride, p))
      return g.alias(node, g.emit('MaxPool', name, [x], [...window, ints('pads', [p, p, p, p])]))
    }
    case 'batchNorm':
      return g.alias(node, g.emit('BatchNormalization', name, [x, ...g.weights(node, ['weight', 'bias', 'running_mean', 'running_var'])], [float('epsilon', 1e-5)]))
    case 'activation':
      return g.alias(node, g.emit(ACTIVATION_OPS[op.fn], name, [x], op.fn === 'leakyRelu' ? [float('alpha', 0.01)] : []))
    case 'lrn':
      return g.alias(node, g.emit('LRN', name, [x], [int('size', op.size), float('alpha', op.alpha), float('beta', op.beta), float('bias', op.k)]))
    case 'globalAvgPool':
      return g.alias(node, g.emit('Flatten', name, [g.emit('GlobalAveragePool', `${name}.pool`, [x])], [int('axis', 1)]))
    case 'flatten':
      return g.alias(node, g.emit('Flatten', name, [x], [int('axis', 1)]))
    case 'dense':
      return g.alias(node, g.emit('Gemm', name, [x, ...g.weights(node, ['weight', 'bias'])], [int('transB', 1)]))
    case 'dropout':
      // Inference: dropout passes its input through.
      return g.alias(node, x)
    case 'concat':
      return g.alias(node, g.emit('Concat', name, node.inputs.map((_, i) => g.input(node, i)), [int('axis', 1)]))
    case 'add':
      return g.alias(node, g.emit('Add', name, [g.input(node, 0), g.input(node, 1)]))
  }
}

/**
 * The whole model: input `input` [batch, C, H, W], outputs `logits` and `probabilities` (their softmax).
 * `metadata` becomes the file's metadata_props.
 */
export function buildOnnxModel(info: ModelInfo, parameters: readonly TorchParameters[], metadata: Record<string, string>): OnnxModel {
  const g = new GraphBuilder(new Map(parameters.map((p) => [p.node.name, p])), hasNegativeActivations(info.layers))
  const byName = new Map(info.layers.map((l) => [l.name, l]))
  for (const node of info.layers) emitNode(g, node, byName.get(node.inputs[0])?.outputShape?.[0] ?? info.input.height)
  const last = g.nodes.at(-1)
  if (!last) throw new Error('an empty network has nothing to export')
  last.output = [ONNX_OUTPUTS.logits]
  const classes = info.outputShape?.[0] ?? 0
  g.emit('Softmax', 'softmax', [ONNX_OUTPUTS.logits], [int('axis', 1)], ONNX_OUTPUTS.probabilities)
  const { channels, height, width } = info.input
  return {
    irVersion: ONNX_IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'CNN Workbench',
    producerVersion: '1',
    graph: {
      name: 'cnn-workbench',
      node: g.nodes,
      initializer: g.initializers,
      input: [valueInfo(INPUT_NAME, ['batch', channels, height, width])],
      output: [valueInfo(ONNX_OUTPUTS.logits, ['batch', classes]), valueInfo(ONNX_OUTPUTS.probabilities, ['batch', classes])],
    },
    metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
  }
}
