import * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import { compileInferencePlan } from '../../backends/native/inference/inferencePlan'
import { activeNativeKernels } from '../../backends/native/wasmBlasKernels'
import { fitToModelInput } from '../model/modelStep'

/**
 * How a trained model answers: logits for a batch of prepared images. On the wasm-blas rung that is the
 * model compiled into a native plan (main/backends/native/inference/inferencePlan.ts); on every other rung, or for a
 * model the plan cannot compile, tfjs-layers' predict. Predict, the inference worker and `npm run bench`
 * all go through here, so the bench measures what a user's drop runs.
 */
export interface ModelInference {
  /** 'native plan', or 'tfjs' with the reason the plan was not used. */
  readonly path: string
  /** Logits [batch, classes] of `input`, NHWC `shape`; an image size other than the model's is resized. */
  logits(input: Float32Array, shape: [number, number, number, number]): Promise<Float32Array>
}

const compiled = new WeakMap<tfl.LayersModel, ModelInference>()

/** The model's inference, compiled on first use. Its weights must not change afterwards (a saved run's model). */
export function inferenceFor(model: tfl.LayersModel): ModelInference {
  let inference = compiled.get(model)
  if (!inference) {
    inference = createInference(model)
    compiled.set(model, inference)
  }
  return inference
}

function createInference(model: tfl.LayersModel): ModelInference {
  const native = activeNativeKernels()
  const result = native ? compileInferencePlan(model, native) : { reason: `the ${tf.getBackend()} backend has no native plan` }
  const viaTfjs = (input: Float32Array, shape: [number, number, number, number]): Promise<Float32Array> => {
    const logits = tf.tidy(() => model.predict(fitToModelInput(model, tf.tensor4d(input, shape)), { batchSize: shape[0] }) as tf.Tensor)
    // Asynchronous: the webgpu backend cannot read synchronously in Node.
    return logits.data().finally(() => logits.dispose()) as Promise<Float32Array>
  }
  if (!('plan' in result)) return { path: `tfjs (${result.reason})`, logits: viaTfjs }
  const { plan } = result
  return {
    path: 'native plan',
    logits: async (input, shape) =>
      shape.slice(1).every((d, i) => d === plan.inputShape[i]) ? plan.run(input, shape[0]).slice() : viaTfjs(input, shape),
  }
}

/** Probabilities from logits, row by row (a numerically stable softmax). */
export function softmaxRows(logits: Float32Array, classes: number): Float32Array {
  const out = new Float32Array(logits.length)
  for (let row = 0; row < logits.length; row += classes) {
    let max = -Infinity
    for (let c = 0; c < classes; c++) max = Math.max(max, logits[row + c])
    let sum = 0
    for (let c = 0; c < classes; c++) sum += out[row + c] = Math.exp(logits[row + c] - max)
    for (let c = 0; c < classes; c++) out[row + c] /= sum
  }
  return out
}
