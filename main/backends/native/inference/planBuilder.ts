import { backend_util } from '@tensorflow/tfjs-core'
import { FUSED_ACTIVATION_CODES, type NativeKernels } from '../nativeKernels'
import { poolShape } from '../nativePoolingKernels'
import { convolutionRun } from './convolutionStep'
import { applyActivation, averageSpatial, concatChannels, padSpatialInto } from './inferenceSteps'
import { activationCode, activationLayerCode, foldBatchNorm, pair, perImage, Unsupported, weight, type PlanNode, type Shape } from './planGraph'

/** One step of a compiled plan: reads and writes buffers by name; `batch` is the call's. */
export interface Step {
  output: string
  /** Floats per image of the output. */
  size: number
  run(buffers: Map<string, Float32Array>, batch: number): void
}

/** Explicit zero padding a 'valid' convolution after ZeroPadding2D reads as its own. */
interface PadBefore {
  top: number
  left: number
  inShape: Shape
  paddedShape: Shape
}

/**
 * Turns a model's layers, taken in order, into native steps. What follows a convolution or product and
 * only reads it (batch norm, a residual sum, an activation) is absorbed into its step; flatten and dropout
 * only rename a buffer. Each output name maps to its shape and to the buffer it lives in.
 */
export class PlanBuilder {
  readonly steps: Step[] = []
  readonly shapes = new Map<string, number[]>()
  private readonly alias = new Map<string, string>()
  private readonly absorbed = new Set<string>()
  private readonly consumers = new Map<string, PlanNode[]>()
  private readonly padsBefore = new Map<string, PadBefore>()
  /** Convolutions that absorbed a residual sum: they run at the sum's place, once both inputs exist. */
  private readonly deferred = new Map<string, Step>()
  /** Outputs that are never negative (a ReLU's, and a max pooling of one): zero padding before a max pooling of them adds nothing. */
  private readonly nonNegative = new Set<string>()

  constructor(
    nodes: PlanNode[],
    private readonly outputName: string,
    private readonly native: NativeKernels,
  ) {
    for (const node of nodes) for (const input of node.inputs) this.consumers.set(input, [...(this.consumers.get(input) ?? []), node])
  }

  /** Where a node's value lives: its own buffer, or the one it only renames. */
  bufferOf(name: string): string {
    return this.alias.get(name) ?? name
  }

  addLayer(node: PlanNode): void {
    const deferredStep = this.deferred.get(node.name)
    if (deferredStep) this.steps.push(deferredStep)
    if (this.absorbed.has(node.name)) return
    const inputShape = node.inputs.length ? this.shapes.get(node.inputs[0])! : []
    switch (node.className) {
      case 'InputLayer':
        this.shapes.set(node.name, node.shape)
        return
      case 'Flatten':
      case 'Dropout':
        this.alias.set(node.name, this.bufferOf(node.inputs[0]))
        this.shapes.set(node.name, node.shape)
        return
      case 'ZeroPadding2D':
        return this.padding(node, inputShape as Shape)
      case 'Conv2D':
      case 'InputConv2D':
        return this.convolution(node, inputShape as Shape)
      case 'BatchNormalization':
        return this.batchNorm(node, inputShape)
      case 'Activation':
      case 'LeakyReLU':
        return this.activation(node, inputShape)
      case 'MaxPooling2D':
      case 'AveragePooling2D':
        return this.pooling(node, inputShape as Shape)
      case 'GlobalAveragePooling2D':
        return this.globalAverage(node, inputShape as Shape)
      case 'Dense':
        return this.dense(node, inputShape)
      case 'Concatenate':
        return this.concatenation(node, inputShape as Shape)
      case 'Add':
        return this.sum(node, inputShape)
      default:
        throw new Unsupported(`layer ${node.name} (${node.className})`)
    }
  }

  /** The one layer that reads `name`, unless another step already absorbed it. */
  private onlyConsumer(name: string): PlanNode | undefined {
    const list = this.consumers.get(name) ?? []
    return list.length === 1 && !this.absorbed.has(list[0].name) ? list[0] : undefined
  }

  /** The activation layer after `name` when nothing else reads `name`: absorbed, with its code. */
  private takeActivation(name: string): { code: number; last: string } {
    const next = this.onlyConsumer(name)
    const code = next && name !== this.outputName ? activationLayerCode(next) : undefined
    if (next === undefined || code === undefined) return { code: FUSED_ACTIVATION_CODES.linear, last: name }
    this.absorbed.add(next.name)
    return { code, last: next.name }
  }

  private push(output: string, shape: number[], run: Step['run']): void {
    this.steps.push({ output, size: perImage(shape), run })
    this.shapes.set(output, shape)
  }

  private padding(node: PlanNode, inputShape: Shape): void {
    const next = this.onlyConsumer(node.name)
    const [[top, bottom], [left, right]] = (node.config.padding as [number, number][]) ?? [[0, 0], [0, 0]]
    const [h, w, c] = inputShape
    const outShape: Shape = [h + top + bottom, w + left + right, c]
    if (next && (next.className === 'Conv2D' || next.className === 'InputConv2D') && String(next.config.padding) === 'valid') {
      // The convolution reads the zeros itself.
      this.shapes.set(node.name, outShape)
      this.alias.set(node.name, this.bufferOf(node.inputs[0]))
      this.padsBefore.set(next.name, { top, left, inShape: inputShape, paddedShape: outShape })
      return
    }
    if (next?.className === 'MaxPooling2D' && String(next.config.padding) === 'valid' && this.nonNegative.has(node.inputs[0])) {
      // The pooling skips what lies outside the image, which for values >= 0 is what zeros would give
      // (ResNet's stem: ReLU, zero padding, 3x3 max pooling).
      this.shapes.set(node.name, outShape)
      this.alias.set(node.name, this.bufferOf(node.inputs[0]))
      this.padsBefore.set(next.name, { top, left, inShape: inputShape, paddedShape: outShape })
      return
    }
    const from = this.bufferOf(node.inputs[0])
    this.push(node.name, outShape, (buffers, batch) => padSpatialInto(buffers.get(from)!, buffers.get(node.name)!, batch, inputShape, top, left, outShape))
  }

  private convolution(node: PlanNode, inputShape: Shape): void {
    const config = node.config
    if (config.dataFormat !== undefined && config.dataFormat !== 'channelsLast') throw new Unsupported(`${node.name}: channels-first`)
    const [kh, kw] = pair(config.kernelSize)
    const strides = pair(config.strides ?? 1)
    const dilations = pair(config.dilationRate ?? 1)
    const pad = this.padsBefore.get(node.name)
    const inShape = pad ? pad.paddedShape : inputShape
    const rawShape = pad ? pad.inShape : inputShape
    let filter = weight(node, 'kernel')
    const outC = filter.length / (kh * kw * inShape[2])
    let bias: Float32Array | null = node.weights.get('bias') ?? null
    let last = node.name
    let code = activationCode(config.activation)
    // Batch norm right after, read by nothing else: folded into the filter.
    const bn = this.onlyConsumer(node.name)
    if (code === 0 && bn?.className === 'BatchNormalization' && node.name !== this.outputName && (bn.config.axis === -1 || bn.config.axis === 3)) {
      ;({ filter, bias } = foldBatchNorm(filter, bias, bn, outC))
      this.absorbed.add(bn.name)
      last = bn.name
    }
    // A residual sum this convolution feeds (and nothing else reads): added in the convolution's output,
    // with the activation after it. The step then runs where the sum was, after its other input.
    let residual: string | undefined
    const add = code === 0 ? this.onlyConsumer(last) : undefined
    if (add?.className === 'Add' && add.inputs.length === 2 && last !== this.outputName) {
      residual = add.inputs.find((name) => name !== last)
      this.absorbed.add(add.name)
      last = add.name
    }
    if (code === 0) ({ code, last } = this.takeActivation(last))
    const info = backend_util.computeConv2DInfo(
      [1, ...inShape], [kh, kw, inShape[2], outC], strides, dilations,
      pad ? 'valid' : (String(config.padding) as 'same' | 'valid'), undefined, false, 'channelsLast',
    )
    const geometry = [
      rawShape[0], rawShape[1], rawShape[2], info.outHeight, info.outWidth, outC, kh, kw, strides[0], strides[1],
      info.padInfo.top + (pad?.top ?? 0), info.padInfo.left + (pad?.left ?? 0), dilations[0], dilations[1],
    ]
    const source = this.bufferOf(node.inputs[0])
    const residualBuffer = residual === undefined ? undefined : this.bufferOf(residual)
    const [finalFilter, finalBias, output, activation] = [filter, bias, last, code]
    const outShape: Shape = [info.outHeight, info.outWidth, outC]
    const run = convolutionRun({ native: this.native, geometry, filter: finalFilter, bias: finalBias, activation, source, output, residual: residualBuffer })
    const step: Step = { output, size: perImage(outShape), run }
    this.shapes.set(output, outShape)
    if (activation === FUSED_ACTIVATION_CODES.relu) this.nonNegative.add(output)
    if (add && residual !== undefined) this.deferred.set(add.name, step)
    else this.steps.push(step)
  }

  private batchNorm(node: PlanNode, inputShape: number[]): void {
    if (!(node.config.axis === -1 || node.config.axis === inputShape.length)) throw new Unsupported(`${node.name}: batch norm over axis ${String(node.config.axis)}`)
    const channels = inputShape[inputShape.length - 1]
    const from = this.bufferOf(node.inputs[0])
    const epsilon = Number(node.config.epsilon ?? 1e-3)
    const mean = weight(node, 'moving_mean')
    const variance = weight(node, 'moving_variance')
    const offset = node.weights.get('beta') ?? null
    const scale = node.weights.get('gamma') ?? null
    this.push(node.name, inputShape, (buffers, batch) =>
      this.native.addon.batchNormInference(
        buffers.get(from)!, mean, variance, offset, scale, buffers.get(node.name)!,
        Int32Array.of((batch * perImage(inputShape)) / channels, channels), epsilon,
      ),
    )
  }

  private activation(node: PlanNode, inputShape: number[]): void {
    const code = activationLayerCode(node)
    if (code === undefined) throw new Unsupported(`${node.name}: activation ${String(node.config.activation ?? node.config.alpha)}`)
    const from = this.bufferOf(node.inputs[0])
    if (code === FUSED_ACTIVATION_CODES.relu) this.nonNegative.add(node.name)
    this.push(node.name, inputShape, (buffers, batch) => applyActivation(buffers.get(from)!, buffers.get(node.name)!, batch * perImage(inputShape), code))
  }

  private pooling(node: PlanNode, inputShape: Shape): void {
    const poolSize = pair(node.config.poolSize)
    const strides = pair(node.config.strides ?? poolSize)
    const pad = this.padsBefore.get(node.name)
    const info = backend_util.computePool2DInfo([1, ...inputShape], poolSize, strides, 1, String(node.config.padding) as 'same' | 'valid')
    const shape = Array.from(poolShape(info)).slice(1)
    if (pad) {
      // [inH, inW, channels, outH, outW, filterH, filterW, strideH, strideW, padTop, padLeft]: the image before padding.
      ;[shape[0], shape[1]] = [pad.inShape[0], pad.inShape[1]]
      ;[shape[9], shape[10]] = [pad.top, pad.left]
    }
    const mode = node.className === 'MaxPooling2D' ? 0 : 1
    if (mode === 0 && this.nonNegative.has(node.inputs[0])) this.nonNegative.add(node.name)
    const from = this.bufferOf(node.inputs[0])
    this.push(node.name, [info.outHeight, info.outWidth, inputShape[2]], (buffers, batch) =>
      this.native.addon.pool2d(buffers.get(from)!, buffers.get(node.name)!, Int32Array.of(batch, ...shape), mode),
    )
  }

  private globalAverage(node: PlanNode, inputShape: Shape): void {
    const from = this.bufferOf(node.inputs[0])
    this.push(node.name, [inputShape[2]], (buffers, batch) => averageSpatial(buffers.get(from)!, buffers.get(node.name)!, batch, inputShape))
  }

  private dense(node: PlanNode, inputShape: number[]): void {
    const kernel = weight(node, 'kernel')
    const inFeatures = perImage(inputShape)
    const units = kernel.length / inFeatures
    const bias = node.weights.get('bias') ?? null
    let { code, last } = { code: activationCode(node.config.activation), last: node.name }
    if (code === 0) ({ code, last } = this.takeActivation(node.name))
    const from = this.bufferOf(node.inputs[0])
    const output = last
    this.push(output, [units], (buffers, batch) =>
      this.native.addon.matMul(buffers.get(from)!, kernel, bias, buffers.get(output)!, Int32Array.of(batch, units, inFeatures, 0, 0, code)),
    )
  }

  private concatenation(node: PlanNode, inputShape: Shape): void {
    if (!(node.config.axis === -1 || node.config.axis === 3)) throw new Unsupported(`${node.name}: concatenation over axis ${String(node.config.axis)}`)
    const parts = node.inputs.map((name) => ({ buffer: this.bufferOf(name), channels: this.shapes.get(name)![2] }))
    const outShape: Shape = [inputShape[0], inputShape[1], parts.reduce((sum, p) => sum + p.channels, 0)]
    this.push(node.name, outShape, (buffers, batch) =>
      concatChannels(parts.map((p) => ({ data: buffers.get(p.buffer)!, channels: p.channels })), buffers.get(node.name)!, batch * outShape[0] * outShape[1]),
    )
  }

  /** A sum no convolution absorbed (both inputs read elsewhere too), with the activation after it. */
  private sum(node: PlanNode, inputShape: number[]): void {
    const [a, b] = node.inputs.map((name) => this.bufferOf(name))
    const { code, last } = this.takeActivation(node.name)
    this.push(last, inputShape, (buffers, batch) => {
      const x = buffers.get(a)!
      const y = buffers.get(b)!
      const out = buffers.get(last)!
      const count = batch * perImage(inputShape)
      for (let i = 0; i < count; i++) out[i] = x[i] + y[i]
      applyActivation(out, out, count, code)
    })
  }
}
