import * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import { inMemoryBatchSource } from '../../main/data/batchSource'
import { trainModel } from '../../main/engine/trainer'
import { TrainConfig } from '../../shared/api/schemas'

export interface ThroughputCase {
  name: string
  build: () => tfl.LayersModel
  imageShape: [number, number, number]
  batchSize: number
  batches: number
  /** Model replicas on worker threads (TrainOptions.parallelism; wasm backend only). Default 1. */
  parallelism?: number
}

function randomSplit(count: number, shape: [number, number, number]) {
  const images = new Float32Array(count * shape[0] * shape[1] * shape[2])
  for (let i = 0; i < images.length; i++) images[i] = Math.random()
  const labels = Uint8Array.from({ length: count }, () => Math.floor(Math.random() * 10))
  return { count, images, labels }
}

/**
 * Training throughput through the product's own loop (trainModel: batching, optimizer step, loss read
 * back every batch), after one warm-up epoch, on random data of the case's shape.
 */
export async function measureTraining(testCase: ThroughputCase): Promise<number> {
  const model = testCase.build()
  const train = randomSplit(testCase.batchSize * testCase.batches, testCase.imageShape)
  const test = randomSplit(1, testCase.imageShape)
  const config = TrainConfig.parse({ arch: 'lenet5', dataset: 'mnist', epochs: 2, batchSize: testCase.batchSize, learningRate: 0.01 })
  const options = { epochs: 2, batchSize: testCase.batchSize, optimizer: 'sgd' as const, schedule: { ...config, lrSchedule: 'constant' as const }, weightDecay: 0, classes: 10, imageShape: testCase.imageShape, parallelism: testCase.parallelism }
  const source = inMemoryBatchSource(train, testCase.imageShape, { seed: 1 })
  const seconds: number[] = []
  const outcome = await trainModel(model, { train: source, test }, options, {
    onBatch: () => undefined,
    onEpoch: (report) => {
      seconds.push(report.seconds)
    },
    shouldStop: () => false,
  })
  model.dispose()
  // The second epoch is the timed one: the first pays for kernel warm-up and allocation.
  return outcome.epochs.length === 2 ? train.count / seconds[1] : NaN
}

export function measureInference(testCase: ThroughputCase): number {
  const model = testCase.build()
  const x = tf.randomUniform([testCase.batchSize, ...testCase.imageShape])
  // The whole batch in one forward pass, as PyTorch's anchor runs it (predict's default cuts it into 32s).
  const forward = () => tf.tidy(() => (model.predict(x, { batchSize: testCase.batchSize }) as tf.Tensor).dataSync())
  forward()
  const start = performance.now()
  for (let i = 0; i < testCase.batches; i++) forward()
  const rate = (testCase.batchSize * testCase.batches) / ((performance.now() - start) / 1000)
  x.dispose()
  model.dispose()
  return rate
}
