import type * as tfl from '@tensorflow/tfjs-layers'
import type { NativeKernels } from '../nativeKernels'
import { PlanBuilder } from './planBuilder'
import { perImage, readNodes, Unsupported, type Shape } from './planGraph'

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
  const outputName = model.outputs[0].sourceLayer.name
  const nodes = readNodes(model)
  const builder = new PlanBuilder(nodes, outputName, native)
  // A Sequential model does not list its input layer among its layers.
  const inputName = model.inputs[0].sourceLayer.name
  builder.shapes.set(inputName, (model.inputs[0].shape as number[]).slice(1))
  for (const node of nodes) builder.addLayer(node)

  const steps = builder.steps
  const inputShape = builder.shapes.get(inputName) as Shape
  const output = builder.bufferOf(outputName)
  let buffers = new Map<string, Float32Array>()
  let buffersFor = 0
  return {
    inputShape,
    outputSize: perImage(builder.shapes.get(outputName)!),
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
