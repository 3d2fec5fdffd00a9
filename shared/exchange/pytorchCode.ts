/**
 * Any configured network of the zoo as PyTorch code in the style of the course notes: one nn.Sequential
 * for LeNet and AlexNet, VGG blocks as nested nn.Sequential, GoogLeNet and ResNet as stages b1..b5 of the
 * notes' Inception and Residual classes. Pure: the Models view shows the code, the export runs it.
 */
import type { ArchitectureSpec } from '../arch/specs'
import { INPUT_NAME } from '../arch/graph'
import type { ConcatBlock, LayerSpec, ResidualBlock } from '../arch/vocabulary/layers'
import { analyzeModel, type LayerInfo } from '../arch/layerMath'
import { inceptionArguments, inceptionAttributes, inceptionClass, residualArguments, residualAttributes, residualClass, type BlockNode } from './pytorchBlocks'
import { torchModules } from './pytorchLayers'
import { hasNegativeActivations } from './poolPadding'

export interface PytorchNetwork {
  /** Imports, classes and `net = nn.Sequential(...)`. */
  code: string
  /** state_dict prefix of every parameterised node, e.g. `b3.inception1.p2.conv1` -> `2.0.p2_1`. */
  modulePaths: Map<string, string>
}

/** How a top-level named sequence is written: its own variable (b1 = ...), nested inline, or spread out. */
type SequenceStyle = 'variable' | 'nested' | 'spread'

function sequenceStyle(id: ArchitectureSpec['id']): SequenceStyle {
  if (id === 'googlenet' || id.startsWith('resnet')) return 'variable'
  return id.startsWith('vgg') ? 'nested' : 'spread'
}

const indent = (text: string) => text.replace(/^/gm, '    ')
const sequential = (items: string[]) => (items.length ? `nn.Sequential(\n${indent(items.join(',\n'))})` : 'nn.Sequential()')

class CodeWriter {
  readonly modulePaths = new Map<string, string>()
  readonly variables: string[] = []
  private readonly queue: LayerInfo[]
  private readonly shapes: Map<string, number[]>
  private readonly negativeInputs: boolean
  private inception?: BlockNode[][]
  private residual?: { block: ReturnType<typeof residualAttributes>; spec: ResidualBlock; activation: LayerInfo }

  constructor(
    private readonly spec: Pick<ArchitectureSpec, 'id' | 'layers' | 'input'>,
    info: ReturnType<typeof analyzeModel>,
  ) {
    this.queue = [...info.layers]
    this.shapes = new Map(info.layers.map((l) => [l.name, l.outputShape ?? []]))
    this.shapes.set(INPUT_NAME, [spec.input.height, spec.input.width, spec.input.channels])
    this.negativeInputs = hasNegativeActivations(info.layers)
  }

  /** The next graph node, which the spec walk says is of this kind (toGraph visits in the same order). */
  private take(kind: LayerInfo['op']['kind']): { node: LayerInfo; input: number[] } {
    const node = this.queue.shift()
    if (node?.op.kind !== kind) throw new Error(`the architecture graph has ${node?.op.kind ?? 'nothing'} where the spec has ${kind}`)
    return { node, input: this.shapes.get(node.inputs[0])! }
  }

  /** Appends the modules of `layers` to `items`, a Sequential whose state_dict prefix is `prefix`. */
  items(layers: LayerSpec[], prefix: string, items: string[], depth: number): string[] {
    for (const layer of layers) {
      const at = `${prefix}${items.length}`
      if (layer.kind === 'sequence') {
        const style = depth === 0 ? sequenceStyle(this.spec.id) : 'nested'
        if (style === 'spread') this.items(layer.layers, prefix, items, depth + 1)
        else {
          const code = sequential(this.items(layer.layers, `${at}.`, [], depth + 1))
          if (style === 'nested') items.push(code)
          else {
            const name = `b${this.variables.length + 1}`
            this.variables.push(`${name} = ${code}`)
            items.push(name)
          }
        }
      } else if (layer.kind === 'concat') items.push(this.inceptionBlock(layer, at))
      else if (layer.kind === 'residual') items.push(this.residualBlock(layer, at))
      else {
        const { node, input } = this.take(layer.kind)
        const { modules, parameterIndex } = torchModules(node, { input, negativeInputs: this.negativeInputs })!
        if (node.params > 0) this.modulePaths.set(node.name, `${prefix}${items.length + parameterIndex}`)
        items.push(...modules)
      }
    }
    return items
  }

  private register(nodes: BlockNode[], at: string): void {
    for (const { node, attribute } of nodes) if (attribute && node.params > 0) this.modulePaths.set(node.name, `${at}.${attribute}`)
  }

  private inceptionBlock(block: ConcatBlock, at: string): string {
    const branches = inceptionAttributes(block.branches.map((branch) => branch.map((layer) => this.take(layer.kind as LayerInfo['op']['kind']))))
    this.take('concat')
    branches.forEach((nodes) => this.register(nodes, at))
    this.inception ??= branches
    return `Inception(${inceptionArguments(branches, branches[0][0].input[2])})`
  }

  private residualBlock(block: ResidualBlock, at: string): string {
    const body = block.body.map((layer) => this.take(layer.kind as LayerInfo['op']['kind']))
    const shortcut = (block.shortcut ?? []).map((layer) => this.take(layer.kind as LayerInfo['op']['kind']))
    if (block.shortcut) this.take('add')
    const after = block.after.map((layer) => this.take(layer.kind as LayerInfo['op']['kind']))
    const named = residualAttributes(body, shortcut)
    this.register([...named.body, ...named.shortcut], at)
    // The class is written from the block that shows the most: a projection and a stride, where there are.
    const shows = (b: typeof named) => (b.shortcut.length ? 2 : 0) + (b.body.some(({ node }) => node.op.kind === 'conv2d' && node.op.stride > 1) ? 1 : 0)
    if (!this.residual || shows(named) > shows(this.residual.block)) this.residual = { block: named, spec: block, activation: after[0].node }
    return `Residual(${residualArguments(named, body[0].input[2])})`
  }

  classes(): string[] {
    const classes: string[] = []
    if (this.inception) classes.push(inceptionClass(this.inception, this.negativeInputs))
    const activation = this.residual?.activation.op
    if (this.residual && activation?.kind === 'activation') classes.push(residualClass(this.residual.block, this.residual.spec, activation.fn))
    return classes
  }
}

/** The network's definition as PyTorch code, and where each node's parameters go in its state_dict. */
export function pytorchNetwork(spec: Pick<ArchitectureSpec, 'id' | 'layers' | 'input'>): PytorchNetwork {
  const info = analyzeModel(spec, spec.input)
  if (info.problems.length) throw new Error(`layer ${info.problems[0].layer}: ${info.problems[0].message}`)
  const writer = new CodeWriter(spec, info)
  const net = `net = ${sequential(writer.items(spec.layers, '', [], 0))}`
  const classes = writer.classes()
  const usesFunctional = classes.some((text) => /\bF\./.test(text))
  const code = [
    ['import torch', 'from torch import nn', ...(usesFunctional ? ['from torch.nn import functional as F'] : [])].join('\n'),
    ...classes,
    ...(writer.variables.length ? [writer.variables.join('\n')] : []),
    net,
  ].join('\n\n\n')
  return { code: `${code}\n`, modulePaths: writer.modulePaths }
}

/** What the Models view shows: the definition, then the notes' shape check layer by layer. */
export function pytorchShapeScript(spec: Pick<ArchitectureSpec, 'id' | 'layers' | 'input'>): string {
  const { channels, height, width } = spec.input
  return [
    pytorchNetwork(spec).code,
    '',
    `X = torch.rand(size=(1, ${channels}, ${height}, ${width}))`,
    'for layer in net:',
    '    X = layer(X)',
    "    print(layer.__class__.__name__, 'output shape:\\t', X.shape)",
    '',
  ].join('\n')
}

export const PYTORCH_FILES = { script: 'model.py', weights: 'weights.npz', sample: 'reference-sample.npz' } as const

/**
 * model.py of the PyTorch export: the definition, then the trained weights (weights.npz: the state_dict as
 * numpy arrays) and the reference image (NCHW); run, it prints the parameter count and the probabilities.
 */
export function pytorchExportScript(spec: Pick<ArchitectureSpec, 'id' | 'layers' | 'input'>): string {
  return `import json
import os

import numpy as np
${pytorchNetwork(spec).code}

def load_weights(net, path):
    with np.load(path) as weights:
        state = {name: torch.from_numpy(weights[name]) for name in weights.files}
    result = net.load_state_dict(state, strict=False)
    # Batch norm's step counter is not part of the trained model.
    missing = [key for key in result.missing_keys if not key.endswith('num_batches_tracked')]
    if missing or result.unexpected_keys:
        raise SystemExit(f'${PYTORCH_FILES.weights} does not fit this network: missing {missing}, unexpected {result.unexpected_keys}')


if __name__ == '__main__':
    folder = os.path.dirname(os.path.abspath(__file__))
    load_weights(net, os.path.join(folder, '${PYTORCH_FILES.weights}'))
    net.eval()
    with np.load(os.path.join(folder, '${PYTORCH_FILES.sample}')) as sample:
        X = torch.from_numpy(sample['input'])
    with torch.no_grad():
        probabilities = torch.softmax(net(X), dim=1)[0]
    parameters = sum(p.numel() for p in net.parameters() if p.requires_grad)
    print(json.dumps({'parameters': parameters, 'probabilities': probabilities.tolist()}))
`
}
