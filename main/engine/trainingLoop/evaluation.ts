import * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import type { DataSplit } from '../../data/pipeline/dataset'
import { inMemoryBatchSource, type BatchSource } from '../../data/pipeline/batchSource'
import { guardGpuRead } from '../../backends/webgpu/deviceHealth'
import { lossAndCorrect } from '../model/modelStep'
import type { TrainOptions } from './trainingContract'

/** A held-out split as a BatchSource; in-memory splits (float pixels) are wrapped, in their stored order. */
export function asBatchSource(data: BatchSource | DataSplit, imageShape: [number, number, number]): BatchSource {
  return 'batches' in data ? data : inMemoryBatchSource(data, imageShape, { seed: 0, shuffle: false })
}

/** Mean loss and accuracy over a split, streamed batch by batch in its stored order (shuffle off). */
export interface Evaluation {
  loss: number
  accuracy: number
  /** rows: true class, columns: predicted class; only when asked for. */
  confusionMatrix?: number[][]
}

export async function evaluate(
  model: tfl.LayersModel,
  data: BatchSource | DataSplit,
  options: Pick<TrainOptions, 'classes' | 'imageShape'>,
  batchSize = 500,
  withConfusionMatrix = false,
): Promise<Evaluation> {
  const source = asBatchSource(data, options.imageShape)
  const confusion = withConfusionMatrix ? Array.from({ length: options.classes }, () => new Array<number>(options.classes).fill(0)) : undefined
  let lossSum = 0
  let correctSum = 0
  let count = 0
  for await (const batch of source.batches(0, batchSize)) {
    const outputs = tf.tidy(() => {
      const x = tf.tensor4d(batch.images, [batch.size, ...source.imageShape])
      const y = tf.tensor1d(batch.labels, 'int32')
      const result = lossAndCorrect(model, x, y, options.classes, false)
      return [result.loss, result.correct, ...(confusion ? [result.predicted] : [])]
    })
    // Asynchronous reads: the webgpu backend cannot read synchronously in Node.
    const values = await guardGpuRead(Promise.all(outputs.map((t) => t.data()))).finally(() => tf.dispose(outputs))
    const [loss, correct] = [values[0][0], values[1][0]]
    if (confusion) {
      const predicted = values[2]
      for (let i = 0; i < batch.size; i++) confusion[batch.labels[i]][predicted[i]]++
    }
    lossSum += loss * batch.size
    correctSum += correct
    count += batch.size
  }
  return { loss: count ? lossSum / count : NaN, accuracy: count ? correctSum / count : 0, confusionMatrix: confusion }
}

/** Of each true class, the fraction predicted right: the confusion matrix's diagonal over its row sums. */
export function perClassAccuracy(confusion: number[][]): number[] {
  return confusion.map((row, i) => {
    const total = row.reduce((a, b) => a + b, 0)
    return total ? row[i] / total : 0
  })
}
