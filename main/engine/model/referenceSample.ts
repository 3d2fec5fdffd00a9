import * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import { join } from 'node:path'
import type { DataSplit } from '../../data/pipeline/dataset'
import { writeFileAtomic } from '../../storage/atomicFile'
import { fitToModelInput } from './modelStep'

import { REFERENCE_SAMPLE_FILE, type ReferenceSample } from '../../../shared/exchange/referenceSample'

export async function writeReferenceSample(runDir: string, model: tfl.LayersModel, test: DataSplit, shape: [number, number, number]): Promise<void> {
  if (test.count === 0) return
  const pixels = shape[0] * shape[1] * shape[2]
  const input = Array.from(test.images.subarray(0, pixels))
  const softmax = tf.tidy(() => tf.softmax(model.predict(fitToModelInput(model, tf.tensor4d(input, [1, ...shape]))) as tf.Tensor2D))
  // Asynchronous: the webgpu backend cannot read synchronously in Node.
  const probabilities = Array.from(await softmax.data().finally(() => softmax.dispose()))
  const sample: ReferenceSample = { shape, input, label: test.labels[0], probabilities }
  await writeFileAtomic(join(runDir, 'model', REFERENCE_SAMPLE_FILE), JSON.stringify(sample))
}
