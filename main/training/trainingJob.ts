import { join } from 'node:path'
import type * as tfl from '@tensorflow/tfjs-layers'
import { getArchitecture } from '../../shared/arch/specs'
import type { MetricPoint, TrainConfig } from '../../shared/api/schemas'
import { selectBackend } from '../engine/backendLadder'
import { loadCheckpoint, writeCheckpoint } from '../engine/checkpoint'
import { readCheckpointInfo } from '../storage/checkpointInfo'
import { createModel, countTrainableParams } from '../engine/modelFactory'
import { saveModel } from '../engine/modelFiles'
import { evaluate, trainModel, type TrainOptions, type TrainStart } from '../engine/trainer'
import { loadDataset } from '../data/datasetRegistry'
import { splitValidation, takeFirst } from '../data/dataset'
import { inMemoryBatchSource } from '../data/batchSource'
import { ProgressThrottle } from './progressThrottle'
import type { RunControl } from './runControl'
import type { FromWorker } from './workerProtocol'
import { writeReferenceSample } from './referenceSample'

export interface TrainingJobRequest {
  config: TrainConfig
  runDir: string
  /** Continue from the run's last checkpoint instead of starting afresh. */
  resume: boolean
}

/**
 * One training run from backend choice to saved model, reporting through `send`. The worker process
 * runs this; it is a plain function so that it can be tested in-process too.
 */
export async function runTrainingJob(request: TrainingJobRequest, send: (message: FromWorker) => void, control: RunControl): Promise<void> {
  const { config, runDir } = request
  const spec = getArchitecture(config.arch)
  const backend = await selectBackend(config.backend)
  const dataset = await loadDataset(config.dataset)
  const { height, width, channels } = dataset.imageShape
  const pixels = height * width * channels
  const { train, validation } = splitValidation(takeFirst(dataset.train, config.limit, pixels), config.validationFraction, pixels)

  let start: TrainStart = { epochsDone: 0 }
  // The notes' network at the configured input size (default: the architecture's), built for this
  // dataset's channels and classes; the trainer resizes batches when the sizes differ.
  const built = getArchitecture(config.arch, { inputSize: config.inputSize, channels, classes: dataset.classNames.length, knobs: config.knobs })
  let model: tfl.LayersModel = createModel(built, built.input, config.seed)
  if (request.resume) {
    const info = await readCheckpointInfo(runDir)
    if (!info) throw new Error('this run has no checkpoint to resume from (it stopped before finishing its first epoch)')
    model.dispose()
    const restored = await loadCheckpoint(runDir, info)
    model = restored.model
    start = {
      epochsDone: info.epoch,
      optimizerWeights: restored.optimizerWeights,
      bestValidationLoss: info.bestValidationLoss,
      epochsWithoutImprovement: info.epochsWithoutImprovement,
    }
  }
  const params = countTrainableParams(model)
  send({ type: 'backend', report: backend, params })

  const options: TrainOptions = {
    epochs: config.epochs,
    batchSize: config.batchSize,
    optimizer: config.optimizer ?? spec.defaults.optimizer,
    schedule: config,
    weightDecay: config.weightDecay,
    gradientClipNorm: config.gradientClipNorm,
    earlyStoppingPatience: config.earlyStoppingPatience,
    classes: dataset.classNames.length,
    imageShape: [height, width, channels],
  }
  const totalSamples = train.count * config.epochs
  const throttle = new ProgressThrottle(100)
  const started = performance.now()
  const startSamples = train.count * start.epochsDone
  const sendProgress = (epoch: number, samplesSeen: number, points: MetricPoint[]) => {
    const seconds = (performance.now() - started) / 1000
    const samplesPerSecond = seconds > 0 ? (samplesSeen - startSamples) / seconds : 0
    const etaSeconds = samplesPerSecond > 0 ? (totalSamples - samplesSeen) / samplesPerSecond : 0
    send({ type: 'progress', epoch, samplesSeen, totalSamples, samplesPerSecond, etaSeconds, points })
  }

  const outcome = await trainModel(
    model,
    { train: inMemoryBatchSource(train, [height, width, channels], { seed: config.seed }), validation, test: dataset.test },
    options,
    {
      onBatch: (batch) => {
        const point = { samples: batch.samplesSeen, epoch: batch.samplesSeen / train.count, loss: batch.loss, accuracy: batch.accuracy, learningRate: batch.learningRate }
        const points = throttle.add(point)
        if (points) sendProgress(batch.epoch, batch.samplesSeen, points)
      },
      onEpoch: async (epoch, state) => {
        sendProgress(epoch.epoch, epoch.epoch * train.count, throttle.flush())
        send({ type: 'epoch', metrics: epoch })
        await writeCheckpoint(runDir, model, state.optimizer, {
          epoch: epoch.epoch,
          samplesSeen: epoch.epoch * train.count,
          bestValidationLoss: state.bestValidationLoss,
          epochsWithoutImprovement: state.epochsWithoutImprovement,
        })
        send({ type: 'checkpoint', epoch: epoch.epoch })
      },
      shouldStop: () => control.shouldStop,
      untilResumed: () => control.untilResumed(),
    },
    start,
  )
  const leftover = throttle.flush()
  if (leftover.length) sendProgress(start.epochsDone + outcome.epochs.length + 1, startSamples + outcome.samplesTrained, leftover)

  await saveModel(model, join(runDir, 'model'))
  await writeReferenceSample(runDir, model, dataset.test, [height, width, channels])
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
