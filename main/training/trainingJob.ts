import { join } from 'node:path'
import { getArchitecture } from '../../shared/arch/specs'
import type { MetricPoint, TrainConfig } from '../../shared/api/schemas'
import { selectBackend } from '../engine/backendLadder'
import { createModel, countTrainableParams } from '../engine/modelFactory'
import { saveModel } from '../engine/modelFiles'
import { evaluate, trainModel, type TrainOptions } from '../engine/trainer'
import { loadDataset } from '../data/datasetRegistry'
import { takeFirst } from '../data/dataset'
import { ProgressThrottle } from './progressThrottle'
import type { FromWorker } from './workerProtocol'

/**
 * One training run from backend choice to saved model, reporting through `send`. The worker process
 * runs this; it is a plain function so that it can be tested in-process too.
 */
export async function runTrainingJob(
  config: TrainConfig,
  runDir: string,
  send: (message: FromWorker) => void,
  shouldStop: () => boolean,
): Promise<void> {
  const spec = getArchitecture(config.arch)
  const backend = await selectBackend(config.backend)
  const dataset = await loadDataset(config.dataset)
  const { height, width, channels } = dataset.imageShape
  const train = takeFirst(dataset.train, config.limit, height * width * channels)
  const model = createModel(spec, dataset.imageShape, config.seed)
  const params = countTrainableParams(model)
  send({ type: 'backend', report: backend, params })

  const options: TrainOptions = {
    epochs: config.epochs,
    batchSize: config.batchSize,
    learningRate: config.learningRate,
    optimizer: config.optimizer ?? spec.defaults.optimizer,
    seed: config.seed,
    classes: dataset.classNames.length,
    imageShape: [height, width, channels],
  }
  const totalSamples = train.count * config.epochs
  const throttle = new ProgressThrottle(100)
  const started = performance.now()
  const sendProgress = (epoch: number, samplesSeen: number, points: MetricPoint[]) => {
    const seconds = (performance.now() - started) / 1000
    const samplesPerSecond = seconds > 0 ? samplesSeen / seconds : 0
    const etaSeconds = samplesPerSecond > 0 ? (totalSamples - samplesSeen) / samplesPerSecond : 0
    send({ type: 'progress', epoch, samplesSeen, totalSamples, samplesPerSecond, etaSeconds, points })
  }

  const outcome = await trainModel(model, { train, test: dataset.test }, options, {
    onBatch: (batch) => {
      const point = { samples: batch.samplesSeen, epoch: batch.samplesSeen / train.count, loss: batch.loss, accuracy: batch.accuracy }
      const points = throttle.add(point)
      if (points) sendProgress(batch.epoch, batch.samplesSeen, points)
    },
    onEpoch: (epoch) => {
      sendProgress(epoch.epoch, epoch.epoch * train.count, throttle.flush())
      send({ type: 'epoch', metrics: epoch })
    },
    shouldStop,
  })
  const leftover = throttle.flush()
  if (leftover.length) sendProgress(outcome.epochs.length + 1, outcome.samplesTrained, leftover)

  await saveModel(model, join(runDir, 'model'))
  const lastEpoch = outcome.epochs.at(-1)
  const test = outcome.stopped || !lastEpoch ? evaluate(model, dataset.test, options) : { loss: lastEpoch.testLoss, accuracy: lastEpoch.testAccuracy }
  send({
    type: 'completed',
    stopped: outcome.stopped,
    result: {
      trainLoss: outcome.trainLoss,
      trainAccuracy: outcome.trainAccuracy,
      testLoss: test.loss,
      testAccuracy: test.accuracy,
      samplesPerSecond: outcome.trainSeconds > 0 ? outcome.samplesTrained / outcome.trainSeconds : 0,
      trainSeconds: outcome.trainSeconds,
      params,
    },
  })
  model.dispose()
}
