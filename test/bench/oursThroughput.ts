import type * as tfl from '@tensorflow/tfjs-layers'
import { inMemoryBatchSource } from '../../main/data/pipeline/batchSource'
import { inferenceFor } from '../../main/engine/inference/modelInference'
import { trainModel } from '../../main/engine/trainingLoop/trainer'
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

/** The epoch timed (the last); pytorchAnchor.py's TRAIN_WARMUP_EPOCHS is one less. */
const TIMED_EPOCH = 3

/**
 * Training throughput through the product's own loop (trainModel: batching, optimizer step, loss read
 * back every batch), after two warm-up epochs, on random data of the case's shape. One warm-up epoch was
 * too few: V8's compilers and the wasm heap settle over ~30 steps (GoogLeNet's preset at 10 batches an
 * epoch read 997, 1,351, 1,619, 1,634, 1,716 images/s in epochs 1-5), and a run trains for hundreds of
 * steps; PyTorch's anchor warms up for the same two epochs' steps.
 */
export async function measureTraining(testCase: ThroughputCase): Promise<number> {
  const model = testCase.build()
  const train = randomSplit(testCase.batchSize * testCase.batches, testCase.imageShape)
  const test = randomSplit(1, testCase.imageShape)
  const config = TrainConfig.parse({ arch: 'lenet5', dataset: 'mnist', epochs: TIMED_EPOCH, batchSize: testCase.batchSize, learningRate: 0.01 })
  const options = { epochs: TIMED_EPOCH, batchSize: testCase.batchSize, optimizer: 'sgd' as const, schedule: { ...config, lrSchedule: 'constant' as const }, weightDecay: 0, classes: 10, imageShape: testCase.imageShape, parallelism: testCase.parallelism }
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
  return outcome.epochs.length === TIMED_EPOCH ? train.count / seconds[TIMED_EPOCH - 1] : NaN
}

/**
 * Inference throughput through the product's own path (inferenceFor: the compiled native plan on
 * wasm-blas, tfjs elsewhere), the whole batch in one pass as PyTorch's anchor runs it.
 */
export async function measureInference(testCase: ThroughputCase): Promise<{ rate: number; path: string }> {
  const model = testCase.build()
  const shape: [number, number, number, number] = [testCase.batchSize, ...testCase.imageShape]
  const x = new Float32Array(shape.reduce((a, b) => a * b, 1))
  for (let i = 0; i < x.length; i++) x[i] = Math.random()
  const inference = inferenceFor(model)
  // As pytorchAnchor.py times it: 3 warm-up batches, then at least 16.
  for (let i = 0; i < 3; i++) await inference.logits(x, shape)
  const batches = Math.max(testCase.batches, 16)
  const start = performance.now()
  for (let i = 0; i < batches; i++) await inference.logits(x, shape)
  const rate = (testCase.batchSize * batches) / ((performance.now() - start) / 1000)
  model.dispose()
  return { rate, path: inference.path }
}
