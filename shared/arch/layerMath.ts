import type { ArchitectureSpec, InputShape, LayerSpec } from './specs'

/** One row of the inspector: what a layer turns its input into, following the notes' formulas. */
export interface LayerInfo {
  index: number
  layer: LayerSpec
  /** [height, width, channels] for spatial tensors, [features] after flatten. */
  outputShape: number[]
  params: number
  /** Side of the input window that one output unit sees, and the step between neighbouring units. */
  receptiveField: number
  jump: number
}

export interface ModelInfo {
  layers: LayerInfo[]
  totalParams: number
  outputShape: number[]
}

/** floor((n + 2p - k) / s) + 1, the notes' output-size formula. */
export function convOutputSize(n: number, kernel: number, padding: number, stride: number): number {
  return Math.floor((n + 2 * padding - kernel) / stride) + 1
}

export function analyzeModel(spec: Pick<ArchitectureSpec, 'layers'>, input: InputShape): ModelInfo {
  let shape: number[] = [input.height, input.width, input.channels]
  let receptiveField = 1
  let jump = 1
  const layers: LayerInfo[] = spec.layers.map((layer, index) => {
    let params = 0
    switch (layer.kind) {
      case 'conv2d': {
        const [h, w, c] = shape
        params = layer.kernelSize * layer.kernelSize * c * layer.filters + layer.filters
        shape = [
          convOutputSize(h, layer.kernelSize, layer.padding, layer.stride),
          convOutputSize(w, layer.kernelSize, layer.padding, layer.stride),
          layer.filters,
        ]
        receptiveField += (layer.kernelSize - 1) * jump
        jump *= layer.stride
        break
      }
      case 'pool2d': {
        const [h, w, c] = shape
        shape = [convOutputSize(h, layer.poolSize, 0, layer.stride), convOutputSize(w, layer.poolSize, 0, layer.stride), c]
        receptiveField += (layer.poolSize - 1) * jump
        jump *= layer.stride
        break
      }
      case 'flatten':
        shape = [shape.reduce((a, b) => a * b, 1)]
        break
      case 'dense':
        params = shape[0] * layer.units + layer.units
        shape = [layer.units]
        break
      case 'activation':
        break
    }
    return { index, layer, outputShape: [...shape], params, receptiveField, jump }
  })
  return { layers, totalParams: layers.reduce((sum, l) => sum + l.params, 0), outputShape: shape }
}
