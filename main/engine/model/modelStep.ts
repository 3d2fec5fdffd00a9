import * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import { installLinearTapeFilter } from './linearTapeFilter'

/**
 * The model step every user of a model shares: fitting images to its input, the forward pass with its loss
 * and correct count, and the loss's gradients (the trainer and evaluation, the gradient replicas on their
 * threads, prediction, inspection and model import). Kept apart from the trainer so that a replica
 * thread or the inference worker loads this, not the training loop.
 */

// Every gradient of the process (this module's, the LR finder's minimize) walks a linear tape filter.
installLinearTapeFilter()

/**
 * Images of another size than the network's input (28x28 digits for AlexNet at 224, as d2l does) are
 * resized bilinearly, batch by batch, so the dataset stays small in memory.
 */
export function fitToModelInput(model: tfl.LayersModel, x: tf.Tensor4D): tf.Tensor4D {
  const [, height, width] = model.inputs[0].shape
  if (height == null || width == null || (x.shape[1] === height && x.shape[2] === width)) return x
  return tf.image.resizeBilinear(x, [height, width])
}

export function lossAndCorrect(model: tfl.LayersModel, x: tf.Tensor4D, labels: tf.Tensor1D, classes: number, training: boolean) {
  const logits = model.apply(fitToModelInput(model, x), { training }) as tf.Tensor2D
  const loss = tf.losses.softmaxCrossEntropy(tf.oneHot(labels, classes), logits) as tf.Scalar
  const predicted = tf.argMax(logits, 1)
  const correct = tf.sum(tf.cast(tf.equal(predicted, labels), 'float32')) as tf.Scalar
  return { loss, correct, predicted }
}

export interface LossGradients {
  /** The differentiated loss: lossScale x the mean cross-entropy, plus the weight-decay penalty if any. */
  loss: number
  correct: number
  /** Gradients of `loss`, keyed by the names of `variables`. The caller disposes them. */
  grads: tf.NamedTensorMap
}

export interface LossGradientOptions {
  classes: number
  imageShape: [number, number, number]
  /**
   * What the batch's mean cross-entropy is multiplied by. 1 for a whole batch; a shard of a batch uses
   * its size, so that the shards' sums add up and one division by the batch size gives the batch mean.
   */
  lossScale?: number
  /** Coupled L2 decay: weightDecay / 2 x the sum of squared variables joins the loss. Default 0 (none). */
  weightDecay?: number
  /**
   * Mixed precision's dynamic loss scale (lossScaler.ts), a tensor so that it changes on the device: the
   * whole differentiated loss, penalty included, is multiplied by it, so the gradients come back scaled;
   * the loss read back is not.
   */
  gradientScale?: tf.Scalar
}

/**
 * Loss, correct count and gradients of a batch, or of one shard of it: the one place both the trainer's
 * own thread and the gradient replicas compute them. Weight decay depends on the weights, not the
 * samples, so whoever combines shards adds it once and the shards leave it at 0.
 */
export function lossGradients(
  model: tfl.LayersModel,
  variables: tf.Variable[],
  images: Float32Array,
  labels: Int32Array,
  size: number,
  options: LossGradientOptions,
): LossGradients {
  const { value, correct, grads } = recordLossGradients(model, variables, images, labels, size, options)
  try {
    return { loss: value.dataSync()[0], correct: correct.dataSync()[0], grads }
  } finally {
    tf.dispose([value, correct])
  }
}

export interface DeferredGradients {
  grads: tf.NamedTensorMap
  /** [loss, correct]; frees its tensors once read. */
  readings: Promise<[number, number]>
}

/**
 * The same step with the gradients at once and the numbers read back later, asynchronously: on a GPU the
 * next batch's work is queued before this one's loss arrives, and the webgpu backend cannot read
 * synchronously in Node at all.
 */
export function lossGradientsDeferred(
  model: tfl.LayersModel,
  variables: tf.Variable[],
  images: Float32Array,
  labels: Int32Array,
  size: number,
  options: LossGradientOptions,
): DeferredGradients {
  return lossGradientsDeferredOnDevice(model, variables, tf.tensor4d(images, [size, ...options.imageShape]), tf.tensor1d(labels, 'int32'), options)
}

/**
 * The same deferred step on a batch already on the device (the webgpu rung's GPU input pipeline): `x`
 * [size, ...imageShape] float32, `y` int32 labels. Takes both tensors and disposes them.
 */
export function lossGradientsDeferredOnDevice(model: tfl.LayersModel, variables: tf.Variable[], x: tf.Tensor4D, y: tf.Tensor1D, options: LossGradientOptions): DeferredGradients {
  const { value, correct, grads } = recordTensorLossGradients(model, variables, x, y, options)
  const readings = Promise.all([value.data(), correct.data()]).then(([loss, count]) => [loss[0], count[0]] as [number, number])
  void readings.finally(() => tf.dispose([value, correct])).catch(() => {})
  return { grads, readings }
}

function recordLossGradients(
  model: tfl.LayersModel,
  variables: tf.Variable[],
  images: Float32Array,
  labels: Int32Array,
  size: number,
  options: LossGradientOptions,
): { value: tf.Scalar; correct: tf.Scalar; grads: tf.NamedTensorMap } {
  return recordTensorLossGradients(model, variables, tf.tensor4d(images, [size, ...options.imageShape]), tf.tensor1d(labels, 'int32'), options)
}

/** Disposes x and y. */
function recordTensorLossGradients(
  model: tfl.LayersModel,
  variables: tf.Variable[],
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  { classes, lossScale = 1, weightDecay = 0, gradientScale }: LossGradientOptions,
): { value: tf.Scalar; correct: tf.Scalar; grads: tf.NamedTensorMap } {
  let correct: tf.Scalar | undefined
  let unscaled: tf.Scalar | undefined
  try {
    const { value, grads } = tf.variableGrads(() => {
      const result = lossAndCorrect(model, x, y, classes, true)
      // The forward pass runs in its own tidy scope; keep the count past it for the caller to read.
      correct = tf.keep(result.correct)
      const data = lossScale === 1 ? result.loss : (tf.mul(result.loss, lossScale) as tf.Scalar)
      const total = weightDecay <= 0 ? data : (tf.add(data, tf.mul(weightDecay / 2, tf.addN(variables.map((v) => tf.sum(tf.square(v)))))) as tf.Scalar)
      if (!gradientScale) return total
      unscaled = tf.keep(total)
      return tf.mul(total, gradientScale) as tf.Scalar
    }, variables)
    const counted = correct!
    correct = undefined
    if (!unscaled) return { value, correct: counted, grads }
    value.dispose()
    const reported = unscaled
    unscaled = undefined
    return { value: reported, correct: counted, grads }
  } finally {
    tf.dispose([x, y])
    correct?.dispose()
    unscaled?.dispose()
  }
}
