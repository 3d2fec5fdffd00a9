import type { GraphOp } from './graph'

/** A layer's operation in a few characters, for tables: `conv 5x5 /1 p2 → 6`, `max pool 3x3 /2`. */
export function describeOp(op: GraphOp): string {
  switch (op.kind) {
    case 'conv2d':
      return `conv ${op.kernelSize}x${op.kernelSize} /${op.stride}${op.padding ? ` p${op.padding}` : ''} \u2192 ${op.filters}`
    case 'pool2d':
      return `${op.mode} pool ${op.poolSize}x${op.poolSize} /${op.stride}${op.padding ? ` p${op.padding}` : ''}`
    case 'batchNorm':
      return 'batch norm'
    case 'activation':
      return op.fn === 'leakyRelu' ? 'leaky ReLU' : op.fn === 'relu' ? 'ReLU' : op.fn
    case 'globalAvgPool':
      return 'global avg pool'
    case 'flatten':
      return 'flatten'
    case 'dense':
      return `dense \u2192 ${op.units}`
    case 'dropout':
      return `dropout ${op.rate}`
    case 'lrn':
      return `LRN ${op.size}`
    case 'concat':
      return 'concat (channels)'
    case 'add':
      return 'add shortcut'
  }
}

export function formatShape(shape: number[] | null): string {
  return shape ? shape.join('\u00d7') : '\u2014'
}

/** 1234567 → "1.23 M", for parameter and multiply-add totals. */
export function formatCompact(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G`
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)} k`
  return String(n)
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${bytes} B`
}
