import * as tf from '@tensorflow/tfjs-core'
import { backend_util } from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import { FUSED_ACTIVATION_CODES, type NativeKernels } from './nativeKernels'
import { poolShape } from './nativePoolingKernels'
import { applyActivation, averageSpatial, concatChannels, padSpatialInto } from './inferenceSteps'

/**
 * A trained model compiled for inference on the native kernels: batch norm folded into the convolution
 * before it, activations and residual additions fused into the convolution's output, padding layers into
 * the convolution's window, and no tfjs op, tensor or tape on the way. ResNet-18 becomes 21 convolution
 * calls, a pooling, a mean and a product instead of ~100 tfjs kernels, whose own overhead was as large as
 * the arithmetic at batch 64 on two cores.
 *
 * The weights are read once, at compile time: a plan serves a model that no longer trains (a saved run).
 * A model with a layer the plan does not know (LRN, an unusual config) is not compiled; the caller runs
 * tfjs instead, and `reason` says why.
 */
export interface InferencePlan {
  readonly inputShape: [number, number, number]
  readonly outputSize: number
  /** Logits for `batch` images (NHWC floats), `batch x outputSize`. The returned array is reused by the next call. */
  run(input: Float32Array, batch: number): Float32Array
}

export type PlanResult = { plan: InferencePlan } | { reason: string }

type Shape = [number, number, number]

interface Node {
  name: string
  className: string
  config: tf.serialization.ConfigDict
  inputs: string[]
  shape: number[]
  weights: Map<string, Float32Array>
}

/** One step of a compiled plan: reads and writes buffers by name; `batch` is the call's. */
interface Step {
  output: string
  /** Floats per image of the output. */
  size: number
  run(buffers: Map<string, Float32Array>, batch: number): void
}

class Unsupported extends Error {}

function pair(value: unknown): [number, number] {
  const v = value as number | number[]
  return Array.isArray(v) ? [v[0], v[1] ?? v[0]] : [v, v]
}

function activationCode(name: unknown): number {
  const code = FUSED_ACTIVATION_CODES[String(name ?? 'linear')]
  if (code === undefined) throw new Unsupported(`activation ${String(name)}`)
  return code
}

/** The model's layers in order, their inputs by name and their weights as plain arrays. */
function readNodes(model: tfl.LayersModel): Node[] {
  return model.layers.map((layer) => {
    const inbound = (layer as unknown as { inboundNodes: { inboundLayers: tfl.layers.Layer[] }[] }).inboundNodes
    if (inbound.length !== 1) throw new Unsupported(`layer ${layer.name} is used ${inbound.length} times`)
    const weights = new Map<string, Float32Array>()
    const values = layer.getWeights()
    for (const [index, variable] of layer.weights.entries()) {
      weights.set(variable.originalName.split('/').pop() ?? String(index), values[index].dataSync() as Float32Array)
    }
    const shape = (layer.outputShape as (number | null)[]).slice(1) as number[]
    return { name: layer.name, className: layer.getClassName(), config: layer.getConfig(), inputs: inbound[0].inboundLayers.map((l) => l.name), shape, weights }
  })
}

function weight(node: Node, key: string): Float32Array {
  const value = node.weights.get(key)
  if (!value) throw new Unsupported(`layer ${node.name} has no ${key}`)
  return value
}

/**
 * Folds y = gamma (x - mean) / sqrt(variance + eps) + beta into the convolution or product before it:
 * each output column c of the filter is scaled by gamma_c / sqrt(variance_c + eps), and the bias becomes
 * (bias - mean) * that scale + beta.
 */
function foldBatchNorm(filter: Float32Array, bias: Float32Array | null, bn: Node, columns: number): { filter: Float32Array; bias: Float32Array } {
  const epsilon = Number(bn.config.epsilon ?? 1e-3)
  const mean = weight(bn, 'moving_mean')
  const variance = weight(bn, 'moving_variance')
  const gamma = bn.weights.get('gamma')
  const beta = bn.weights.get('beta')
  // Plain loops: Float32Array.from with a mapping function boxes every value on the JS heap first
  // (hundreds of MB for ResNet-18's filters).
  const scale = new Float32Array(columns)
  const foldedBias = new Float32Array(columns)
  for (let c = 0; c < columns; c++) {
    scale[c] = (gamma ? gamma[c] : 1) / Math.sqrt(variance[c] + epsilon)
    foldedBias[c] = ((bias ? bias[c] : 0) - mean[c]) * scale[c] + (beta ? beta[c] : 0)
  }
  const folded = new Float32Array(filter.length)
  for (let i = 0; i < filter.length; i++) folded[i] = filter[i] * scale[i % columns]
  return { filter: folded, bias: foldedBias }
}

export function compileInferencePlan(model: tfl.LayersModel, native: NativeKernels): PlanResult {
  try {
    return { plan: compile(model, native) }
  } catch (error) {
    if (error instanceof Unsupported) return { reason: error.message }
    throw error
  }
}

function compile(model: tfl.LayersModel, native: NativeKernels): InferencePlan {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) throw new Unsupported('the model has more than one input or output')
  const nodes = readNodes(model)
  const absorbed = new Set<string>()
  const consumers = new Map<string, Node[]>()
  for (const node of nodes) for (const input of node.inputs) consumers.set(input, [...(consumers.get(input) ?? []), node])
  /** The one layer that reads `name`, unless another step already absorbed it. */
  const onlyConsumer = (name: string): Node | undefined => {
    const list = consumers.get(name) ?? []
    return list.length === 1 && !absorbed.has(list[0].name) ? list[0] : undefined
  }
  const outputName = model.outputs[0].sourceLayer.name
  const shapes = new Map<string, number[]>()
  /** Where a node's value lives: its own buffer, or another's it only renames (flatten, dropout). */
  const alias = new Map<string, string>()
  const bufferOf = (name: string) => alias.get(name) ?? name
  const steps: Step[] = []
  /** Explicit zero padding a convolution reads as its own ('valid' convolution after ZeroPadding2D). */
  const padsBefore = new Map<string, { top: number; left: number; inShape: Shape; paddedShape: Shape }>()
  /** Convolutions that absorbed a residual sum: they run at the sum's place, once both inputs exist. */
  const deferred = new Map<string, Step>()
  const perImage = (shape: number[]) => shape.reduce((a, b) => a * b, 1)

  // A fused activation after `name`, when the next layer is one and nothing else reads `name`.
  const takeActivation = (name: string): { code: number; last: string } => {
    const next = onlyConsumer(name)
    if (!next || name === outputName) return { code: 0, last: name }
    if (next.className === 'Activation' && FUSED_ACTIVATION_CODES[String(next.config.activation)] !== undefined) {
      absorbed.add(next.name)
      return { code: FUSED_ACTIVATION_CODES[String(next.config.activation)], last: next.name }
    }
    if (next.className === 'LeakyReLU' && Math.abs(Number(next.config.alpha) - 0.01) < 1e-9) {
      absorbed.add(next.name)
      return { code: FUSED_ACTIVATION_CODES.leakyRelu, last: next.name }
    }
    return { code: 0, last: name }
  }

  // A Sequential model does not list its input layer among its layers.
  const inputName = model.inputs[0].sourceLayer.name
  shapes.set(inputName, (model.inputs[0].shape as number[]).slice(1))
  for (const node of nodes) {
    const deferredStep = deferred.get(node.name)
    if (deferredStep) steps.push(deferredStep)
    if (absorbed.has(node.name)) continue
    const inputShape = node.inputs.length ? shapes.get(node.inputs[0])! : []
    switch (node.className) {
      case 'InputLayer':
        shapes.set(node.name, node.shape)
        continue
      case 'Flatten':
      case 'Dropout':
        alias.set(node.name, bufferOf(node.inputs[0]))
        shapes.set(node.name, node.shape)
        continue
      case 'ZeroPadding2D': {
        const next = onlyConsumer(node.name)
        const [[top, bottom], [left, right]] = (node.config.padding as [number, number][]) ?? [[0, 0], [0, 0]]
        const [h, w, c] = inputShape
        const outShape: Shape = [h + top + bottom, w + left + right, c]
        if (next && (next.className === 'Conv2D' || next.className === 'InputConv2D') && String(next.config.padding) === 'valid') {
          // The convolution reads the zeros itself.
          shapes.set(node.name, outShape)
          alias.set(node.name, bufferOf(node.inputs[0]))
          padsBefore.set(next.name, { top, left, inShape: inputShape as Shape, paddedShape: outShape })
          continue
        }
        const from = bufferOf(node.inputs[0])
        steps.push({
          output: node.name,
          size: perImage(outShape),
          run: (buffers, batch) => padSpatialInto(buffers.get(from)!, buffers.get(node.name)!, batch, inputShape as Shape, top, left, outShape),
        })
        shapes.set(node.name, outShape)
        continue
      }
      case 'Conv2D':
      case 'InputConv2D': {
        const config = node.config
        if (config.dataFormat !== undefined && config.dataFormat !== 'channelsLast') throw new Unsupported(`${node.name}: channels-first`)
        const [kh, kw] = pair(config.kernelSize)
        const strides = pair(config.strides ?? 1)
        const dilations = pair(config.dilationRate ?? 1)
        const pad = padsBefore.get(node.name)
        const inShape = pad ? pad.paddedShape : (inputShape as Shape)
        const source = bufferOf(node.inputs[0])
        const rawShape = pad ? pad.inShape : (inputShape as Shape)
        let filter = weight(node, 'kernel')
        const outC = filter.length / (kh * kw * inShape[2])
        let bias: Float32Array | null = node.weights.get('bias') ?? null
        let last = node.name
        let code = activationCode(config.activation)
        // batch norm right after, read by nothing else: folded into the filter.
        const bn = onlyConsumer(node.name)
        if (code === 0 && bn?.className === 'BatchNormalization' && node.name !== outputName && (bn.config.axis === -1 || bn.config.axis === 3)) {
          ;({ filter, bias } = foldBatchNorm(filter, bias, bn, outC))
          absorbed.add(bn.name)
          last = bn.name
        }
        // A residual sum this convolution feeds (and nothing else reads): added in the convolution's
        // output, with the activation after it. The step then runs where the sum was, after its other input.
        let residual: string | undefined
        const add = code === 0 ? onlyConsumer(last) : undefined
        if (add?.className === 'Add' && add.inputs.length === 2 && last !== outputName) {
          residual = add.inputs.find((name) => name !== last)
          absorbed.add(add.name)
          last = add.name
        }
        if (code === 0) ({ code, last } = takeActivation(last))
        const info = backend_util.computeConv2DInfo(
          [1, ...inShape], [kh, kw, inShape[2], outC], strides, dilations,
          pad ? 'valid' : (String(config.padding) as 'same' | 'valid'), undefined, false, 'channelsLast',
        )
        const outShape: Shape = [info.outHeight, info.outWidth, outC]
        const geometry = [
          rawShape[0], rawShape[1], rawShape[2], info.outHeight, info.outWidth, outC, kh, kw, strides[0], strides[1],
          info.padInfo.top + (pad?.top ?? 0), info.padInfo.left + (pad?.left ?? 0), dilations[0], dilations[1],
        ]
        const finalFilter = filter
        const finalBias = bias
        const step: Step = {
          output: last,
          size: perImage(outShape),
          run: (buffers, batch) =>
            native.addon.conv2d(
              buffers.get(source)!, finalFilter, finalBias, buffers.get(last)!, Int32Array.of(batch, ...geometry), code,
              residual ? buffers.get(bufferOf(residual))! : null,
            ),
        }
        shapes.set(last, outShape)
        if (residual) deferred.set(add!.name, step)
        else steps.push(step)
        continue
      }
      case 'BatchNormalization': {
        if (!(node.config.axis === -1 || node.config.axis === inputShape.length)) throw new Unsupported(`${node.name}: batch norm over axis ${String(node.config.axis)}`)
        const channels = inputShape[inputShape.length - 1]
        const from = bufferOf(node.inputs[0])
        const epsilon = Number(node.config.epsilon ?? 1e-3)
        const mean = weight(node, 'moving_mean')
        const variance = weight(node, 'moving_variance')
        const offset = node.weights.get('beta') ?? null
        const scale = node.weights.get('gamma') ?? null
        steps.push({
          output: node.name,
          size: perImage(inputShape),
          run: (buffers, batch) =>
            native.addon.batchNormInference(
              buffers.get(from)!, mean, variance, offset, scale, buffers.get(node.name)!,
              Int32Array.of((batch * perImage(inputShape)) / channels, channels), epsilon,
            ),
        })
        shapes.set(node.name, inputShape)
        continue
      }
      case 'Activation':
      case 'LeakyReLU': {
        const code = node.className === 'LeakyReLU' ? (Math.abs(Number(node.config.alpha) - 0.01) < 1e-9 ? FUSED_ACTIVATION_CODES.leakyRelu : undefined) : FUSED_ACTIVATION_CODES[String(node.config.activation)]
        if (code === undefined) throw new Unsupported(`${node.name}: activation ${String(node.config.activation ?? node.config.alpha)}`)
        const from = bufferOf(node.inputs[0])
        steps.push({ output: node.name, size: perImage(inputShape), run: (buffers, batch) => applyActivation(buffers.get(from)!, buffers.get(node.name)!, batch * perImage(inputShape), code) })
        shapes.set(node.name, inputShape)
        continue
      }
      case 'MaxPooling2D':
      case 'AveragePooling2D': {
        const poolSize = pair(node.config.poolSize)
        const strides = pair(node.config.strides ?? poolSize)
        const info = backend_util.computePool2DInfo([1, ...(inputShape as Shape)], poolSize, strides, 1, String(node.config.padding) as 'same' | 'valid')
        const outShape: Shape = [info.outHeight, info.outWidth, inputShape[2]]
        const shape = Array.from(poolShape(info)).slice(1)
        const mode = node.className === 'MaxPooling2D' ? 0 : 1
        const from = bufferOf(node.inputs[0])
        steps.push({ output: node.name, size: perImage(outShape), run: (buffers, batch) => native.addon.pool2d(buffers.get(from)!, buffers.get(node.name)!, Int32Array.of(batch, ...shape), mode) })
        shapes.set(node.name, outShape)
        continue
      }
      case 'GlobalAveragePooling2D': {
        const from = bufferOf(node.inputs[0])
        steps.push({ output: node.name, size: inputShape[2], run: (buffers, batch) => averageSpatial(buffers.get(from)!, buffers.get(node.name)!, batch, inputShape as Shape) })
        shapes.set(node.name, [inputShape[2]])
        continue
      }
      case 'Dense': {
        const kernel = weight(node, 'kernel')
        const inFeatures = perImage(inputShape)
        const units = kernel.length / inFeatures
        const bias = node.weights.get('bias') ?? null
        let { code, last } = { code: activationCode(node.config.activation), last: node.name }
        if (code === 0) ({ code, last } = takeActivation(node.name))
        const from = bufferOf(node.inputs[0])
        const output = last
        steps.push({
          output,
          size: units,
          run: (buffers, batch) => native.addon.matMul(buffers.get(from)!, kernel, bias, buffers.get(output)!, Int32Array.of(batch, units, inFeatures, 0, 0, code)),
        })
        shapes.set(output, [units])
        continue
      }
      case 'Concatenate': {
        if (!(node.config.axis === -1 || node.config.axis === 3)) throw new Unsupported(`${node.name}: concatenation over axis ${String(node.config.axis)}`)
        const parts = node.inputs.map((name) => ({ buffer: bufferOf(name), channels: shapes.get(name)![2] }))
        const outShape: Shape = [inputShape[0], inputShape[1], parts.reduce((sum, p) => sum + p.channels, 0)]
        steps.push({
          output: node.name,
          size: perImage(outShape),
          run: (buffers, batch) => concatChannels(parts.map((p) => ({ data: buffers.get(p.buffer)!, channels: p.channels })), buffers.get(node.name)!, batch * outShape[0] * outShape[1]),
        })
        shapes.set(node.name, outShape)
        continue
      }
      case 'Add': {
        const [a, b] = node.inputs.map(bufferOf)
        const { code, last } = takeActivation(node.name)
        steps.push({
          output: last,
          size: perImage(inputShape),
          run: (buffers, batch) => {
            const x = buffers.get(a)!
            const y = buffers.get(b)!
            const out = buffers.get(last)!
            const count = batch * perImage(inputShape)
            for (let i = 0; i < count; i++) out[i] = x[i] + y[i]
            applyActivation(out, out, count, code)
          },
        })
        shapes.set(last, inputShape)
        continue
      }
      default:
        throw new Unsupported(`layer ${node.name} (${node.className})`)
    }
  }

  const inputShape = shapes.get(inputName) as Shape
  const output = bufferOf(outputName)
  const outputSize = perImage(shapes.get(outputName)!)
  let buffers = new Map<string, Float32Array>()
  let buffersFor = 0
  return {
    inputShape,
    outputSize,
    run(input: Float32Array, batch: number): Float32Array {
      if (input.length !== batch * perImage(inputShape)) throw new Error(`expected ${batch} images of ${inputShape.join('x')}, got ${input.length} floats`)
      if (buffersFor !== batch) {
        buffers = new Map(steps.map((step) => [step.output, new Float32Array(batch * step.size)]))
        buffersFor = batch
      }
      buffers.set(inputName, input)
      for (const step of steps) step.run(buffers, batch)
      return buffers.get(output)!
    },
  }
}
