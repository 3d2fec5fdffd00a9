import * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import type { LrFinderResult } from '../../../shared/api/schemas'
import type { BatchSource } from '../../data/pipeline/batchSource'
import { createOptimizer, setLearningRate } from './optimizers'
import { fitToModelInput } from '../model/modelStep'
import type { OptimizerName } from '../../../shared/arch/specs'

/**
 * Leslie Smith's range test: raise the learning rate exponentially batch by batch and watch the loss.
 * The suggestion is where the smoothed loss falls fastest, before it blows up.
 */
export async function findLearningRate(
  model: tfl.LayersModel,
  source: BatchSource,
  options: { optimizer: OptimizerName; batchSize: number; classes: number; minLearningRate: number; maxLearningRate: number; steps: number },
  /** Each batch's rate and smoothed loss as it is measured (step counts from 1): the app draws the curve as it grows. */
  onPoint?: (point: LrFinderResult['points'][number], step: number) => void,
): Promise<LrFinderResult> {
  const optimizer = createOptimizer(options.optimizer, options.minLearningRate)
  const ratio = Math.pow(options.maxLearningRate / options.minLearningRate, 1 / (options.steps - 1))
  const points: LrFinderResult['points'] = []
  let smoothed = 0
  let best = Infinity
  let epoch = 1
  try {
    while (points.length < options.steps) {
      for await (const batch of source.batches(epoch, options.batchSize)) {
        const learningRate = options.minLearningRate * ratio ** points.length
        setLearningRate(optimizer, learningRate)
        const lossTensor = tf.tidy(() => {
          const x = tf.tensor4d(batch.images, [batch.size, ...source.imageShape])
          const y = tf.oneHot(tf.tensor1d(batch.labels, 'int32'), options.classes)
          const value = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(fitToModelInput(model, x), { training: true }) as tf.Tensor) as tf.Scalar, true)
          return value!
        })
        // Asynchronous: the webgpu backend cannot read synchronously in Node.
        const loss = (await lossTensor.data().finally(() => lossTensor.dispose()))[0]
        // Exponential smoothing with bias correction, as fastai does.
        smoothed = 0.9 * smoothed + 0.1 * loss
        const corrected = smoothed / (1 - 0.9 ** (points.length + 1))
        points.push({ learningRate, loss: corrected })
        onPoint?.({ learningRate, loss: corrected }, points.length)
        best = Math.min(best, corrected)
        if (!Number.isFinite(corrected) || corrected > 4 * best || points.length >= options.steps) break
      }
      const last = points.at(-1)
      if (!last || !Number.isFinite(last.loss) || last.loss > 4 * best) break
      epoch++
    }
  } finally {
    optimizer.dispose()
  }
  return { points, suggestedLearningRate: steepestDescent(points) }
}

/**
 * Where the smoothed loss falls fastest on its way down to its lowest point. Past the low point the rate is
 * too high, and a fall there (the loss recovering from a spike, or a small data set cycling) is no
 * suggestion: it once proposed 0.53 for Adam on lenet-relu, whose loss bottomed out near 0.05.
 */
export function steepestDescent(points: LrFinderResult['points']): number | undefined {
  let lowest = 0
  for (let i = 0; i < points.length && Number.isFinite(points[i].loss); i++) if (points[i].loss < points[lowest].loss) lowest = i
  let bestSlope = 0
  let suggestion: number | undefined
  for (let i = 1; i <= lowest; i++) {
    const slope = (points[i].loss - points[i - 1].loss) / Math.log(points[i].learningRate / points[i - 1].learningRate)
    if (slope < bestSlope) {
      bestSlope = slope
      suggestion = points[i].learningRate
    }
  }
  return suggestion
}
