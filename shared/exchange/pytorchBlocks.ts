/**
 * The notes' Inception and Residual classes, written from a block of the spec with the knobs applied
 * (activation, batch norm, shortcuts on or off). With the notes' settings they are the notes' classes.
 */
import type { Activation, ResidualBlock } from '../arch/vocabulary/layers'
import type { LayerInfo } from '../arch/layerMath'
import { functionalActivation, torchModules } from './pytorchLayers'

/** A primitive node of the block and the attribute of the class that holds its parameters (if any). */
export interface BlockNode {
  node: LayerInfo
  /** The node's input shape. */
  input: number[]
  attribute?: string
}
type Placed = Omit<BlockNode, 'attribute'>

const window = (node: LayerInfo) => {
  const { op } = node
  if (op.kind !== 'conv2d') return ''
  return `kernel_size=${op.kernelSize}${op.padding ? `, padding=${op.padding}` : ''}`
}

/**
 * Inception's nodes branch by branch: convolutions and the pooling are `p<path>_<n>` as in the notes,
 * a batch norm after `p<path>_<n>` is `bn<path>_<n>`.
 */
export function inceptionAttributes(branches: Placed[][]): BlockNode[][] {
  return branches.map((nodes, b) =>
    nodes.reduce<{ n: number; out: BlockNode[] }>(
      (acc, { node, input }) => {
        const kind = node.op.kind
        if (kind === 'conv2d' || kind === 'pool2d') acc.n++
        const attribute = kind === 'conv2d' || kind === 'pool2d' ? `p${b + 1}_${acc.n}` : kind === 'batchNorm' ? `bn${b + 1}_${acc.n}` : undefined
        acc.out.push({ node, input, attribute })
        return acc
      },
      { n: 0, out: [] },
    ).out,
  )
}

/** The arguments of `Inception(in_channels, c1, c2, c3, c4)`: each path's convolution widths. */
export function inceptionArguments(branches: BlockNode[][], inChannels: number): string {
  const widths = branches.map((nodes) => nodes.flatMap(({ node }) => (node.op.kind === 'conv2d' ? [node.op.filters] : [])))
  return [inChannels, ...widths.map((w) => (w.length === 1 ? `${w[0]}` : `(${w.join(', ')})`))].join(', ')
}

export function inceptionClass(template: BlockNode[][], negativeInputs: boolean): string {
  const init: string[] = []
  const forward: string[] = []
  template.forEach((nodes, b) => {
    const path = `p${b + 1}`
    const convs = nodes.filter(({ node }) => node.op.kind === 'conv2d').length
    let channels = 'in_channels'
    let k = 0
    let x = 'x'
    const steps: string[] = []
    const commentAt = init.length
    for (const { node, input, attribute } of nodes) {
      const { op } = node
      if (op.kind === 'conv2d') {
        const out = convs === 1 ? `c${b + 1}` : `c${b + 1}[${k++}]`
        init.push(`self.${attribute} = nn.Conv2d(${channels}, ${out}, ${window(node)})`)
        steps.push(`${op.kernelSize}x${op.kernelSize} convolution`)
        channels = out
      } else if (op.kind === 'pool2d') {
        const modules = torchModules(node, { input, negativeInputs })!.modules
        init.push(`self.${attribute} = ${modules.length === 1 ? modules[0] : `nn.Sequential(${modules.join(', ')})`}`)
        steps.push(`${op.poolSize}x${op.poolSize} ${op.mode} pooling`)
      } else if (op.kind === 'batchNorm') {
        init.push(`self.${attribute} = nn.BatchNorm2d(${channels})`)
      }
      x = op.kind === 'activation' ? functionalActivation(op.fn, x) : attribute ? `self.${attribute}(${x})` : x
    }
    init.splice(commentAt, 0, `# path ${b + 1}: ${steps.join(', then ')}`)
    forward.push(`${path} = ${x}`)
  })
  const paths = template.map((_, b) => `p${b + 1}`).join(', ')
  return [
    'class Inception(nn.Module):',
    `    # ${template.map((_, b) => `c${b + 1}`).join(', ')}: the output channels of each path`,
    `    def __init__(self, in_channels, ${template.map((_, b) => `c${b + 1}`).join(', ')}, **kwargs):`,
    '        super(Inception, self).__init__(**kwargs)',
    ...init.map((line) => `        ${line}`),
    '',
    '    def forward(self, x):',
    ...forward.map((line) => `        ${line}`),
    '        # concatenate the paths along the channel dimension',
    `        return torch.cat((${paths}), dim=1)`,
  ].join('\n')
}

/** Residual's nodes: body convolutions conv1..convN, their batch norms bn1..bnM, the projection conv(N+1). */
export function residualAttributes(body: Placed[], shortcut: Placed[]): { body: BlockNode[]; shortcut: BlockNode[] } {
  let convs = 0
  let norms = 0
  const named = body.map(({ node, input }) => ({ node, input, attribute: node.op.kind === 'conv2d' ? `conv${++convs}` : node.op.kind === 'batchNorm' ? `bn${++norms}` : undefined }))
  return { body: named, shortcut: shortcut.map(({ node, input }) => ({ node, input, attribute: node.op.kind === 'conv2d' ? `conv${convs + 1}` : undefined })) }
}

/** `Residual(input_channels, num_channels[, use_1x1conv=True][, strides=2])`. */
export function residualArguments(block: { body: BlockNode[]; shortcut: BlockNode[] }, inChannels: number): string {
  const convs = block.body.map(({ node }) => node.op).filter((op) => op.kind === 'conv2d')
  const stride = Math.max(...convs.map((op) => op.stride))
  return [`${inChannels}`, `${convs[0].filters}`, ...(block.shortcut.length ? ['use_1x1conv=True'] : []), ...(stride !== 1 ? [`strides=${stride}`] : [])].join(', ')
}

export function residualClass(template: { body: BlockNode[]; shortcut: BlockNode[] }, spec: Pick<ResidualBlock, 'shortcut'>, activation: Activation): string {
  const convs = template.body.filter(({ node }) => node.op.kind === 'conv2d')
  const num = convs[0].node.op.kind === 'conv2d' ? convs[0].node.op.filters : 0
  const symbol = (filters: number) => (filters === num ? 'num_channels' : filters === 4 * num ? 'num_channels * 4' : `${filters}`)
  const init: string[] = []
  const norms: string[] = []
  const forward: string[] = []
  let channels = 'input_channels'
  let x = 'X'
  for (const { node, attribute } of template.body) {
    const { op } = node
    if (op.kind === 'conv2d') {
      const out = symbol(op.filters)
      init.push(`self.${attribute} = nn.Conv2d(${channels}, ${out}, ${window(node)}${op.stride !== 1 ? ', stride=strides' : ''})`)
      channels = out
      x = `self.${attribute}(${x})`
    } else if (op.kind === 'batchNorm') {
      norms.push(`self.${attribute} = nn.BatchNorm2d(${channels})`)
      x = `self.${attribute}(${x})`
    } else if (op.kind === 'activation') {
      forward.push(`Y = ${functionalActivation(op.fn, x)}`)
      x = 'Y'
    }
  }
  if (x !== 'Y') forward.push(`Y = ${x}`)
  const projection = `conv${convs.length + 1}`
  const withShortcut = spec.shortcut !== null
  if (withShortcut) {
    init.push('if use_1x1conv:', `    self.${projection} = nn.Conv2d(input_channels, ${channels}, kernel_size=1, stride=strides)`, 'else:', `    self.${projection} = None`)
    forward.push(`if self.${projection}:`, `    X = self.${projection}(X)`, 'Y += X')
  }
  return [
    'class Residual(nn.Module):',
    ...(withShortcut ? [] : ['    # Shortcuts off: the same block without its addition (a plain network of the same depth).']),
    `    def __init__(self, input_channels, num_channels, ${withShortcut ? 'use_1x1conv=False, ' : ''}strides=1):`,
    '        super().__init__()',
    ...[...init, ...norms].map((line) => `        ${line}`),
    '',
    '    def forward(self, X):',
    ...forward.map((line) => `        ${line}`),
    `        return ${functionalActivation(activation, 'Y')}`,
  ].join('\n')
}
