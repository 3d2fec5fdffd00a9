import { join } from 'node:path'
import type * as tfl from '@tensorflow/tfjs-layers'
import { getArchitecture } from '../../shared/arch/specs'
import { resolveRun } from '../../shared/run/resolveRun'
import { analyzeModel } from '../../shared/arch/layerMath'
import { WASM_HEAP_BACKENDS, wasmMemoryProblem } from '../../shared/arch/memoryBudget'
import type { MetricPoint, TrainConfig } from '../../shared/api/schemas'
import { selectBackend } from '../backends/backendLadder'
import { activeNativeKernels } from '../backends/native/wasmBlasKernels'
import { loadCheckpoint, writeCheckpoint } from '../engine/model/checkpoint'
import { readCheckpointInfo } from '../storage/checkpointInfo'
import { learningRateAt } from '../engine/trainingLoop/lrSchedule'
import { createModel, countTrainableParams } from '../engine/model/modelFactory'
import { saveModel } from '../engine/model/modelFiles'
import { trainModel } from '../engine/trainingLoop/trainer'
import { evaluate, perClassAccuracy } from '../engine/trainingLoop/evaluation'
import { assertFiniteEvaluation } from '../engine/trainingLoop/nonFiniteLoss'
import type { TrainOptions, TrainStart } from '../engine/trainingLoop/trainingContract'
import { isFolderDataset, openDataset } from '../data/datasetRegistry'
import { dataDirOfRunDir } from '../storage/dataDir'
import type { BatchSource } from '../data/pipeline/batchSource'
import type { DataSplit } from '../data/pipeline/dataset'
import { ProgressThrottle } from './progressThrottle'
import type { RunControl } from './runControl'
import type { FromWorker } from './workerProtocol'
import { writeReferenceSample } from '../engine/model/referenceSample'
import { webgpuFailure } from '../backends/webgpu/deviceHealth'
import { webgpuOffersF16 } from '../backends/webgpu/webgpuRung'
import { setKernelPrecision } from '../backends/webgpu/kernels/precision'
import { GRAD_SCALER_DEFAULTS, lossScalingNote } from '../engine/trainingLoop/lossScaler'
import { mixedPrecisionProblem } from '../../shared/mixedPrecision'

export interface TrainingJobRequest {
  config: TrainConfig
  runDir: string
  /** Continue from the run's last checkpoint instead of starting afresh. */
  resume: boolean
  /** Cores the native kernels may use; absent: all. */
  kernelThreads?: number
}

/**
 * One training run from backend choice to saved model, reporting through `send`. The worker process
 * runs this; it is a plain function so that it can be tested in-process too.
 */
export async function runTrainingJob(request: TrainingJobRequest, send: (message: FromWorker) => void, control: RunControl): Promise<void> {
  // Stored configs are resolved already; one recorded before presets were (no optimizer) resolves as it ran.
  const config = resolveRun(request.config)
  const { runDir } = request
  const spec = getArchitecture(config.arch)
  const backend = await selectBackend(config.backend)
  const mixed = config.precision === 'mixed'
  if (mixed) {
    const problem = mixedPrecisionProblem(config.backend, backend, backend.name === 'webgpu' ? webgpuOffersF16() : undefined)
    if (problem) throw new Error(problem)
  }
  if (request.kernelThreads) activeNativeKernels()?.addon.setThreads(request.kernelThreads)
  // Folders are decoded straight to the network's input size; in-memory sets keep theirs (the trainer resizes).
  const dataset = await openDataset(config.dataset, {
    dataDir: dataDirOfRunDir(runDir),
    seed: config.seed,
    validationFraction: config.validationFraction,
    limit: config.limit,
    augment: config.augment,
    normalize: config.normalize,
    shuffle: config.shuffle,
    size: isFolderDataset(config.dataset) ? (config.inputSize ?? spec.input.height) : undefined,
    stats: !isFolderDataset(config.dataset),
    onSkip: (file) => send({ type: 'unreadable', file }),
  })
  if (dataset.classNames.length < 2) throw new Error(`${config.dataset} has ${dataset.classNames.length} class; training needs at least 2`)
  if (dataset.train.count === 0) throw new Error(`${config.dataset} has no training images`)
  const [height, width, channels] = dataset.imageShape
  const train = dataset.train
  send({
    type: 'dataset',
    classNames: dataset.classNames,
    data: {
      imageShape: dataset.imageShape,
      train: dataset.counts.train,
      validation: dataset.counts.validation,
      test: dataset.counts.test,
      mean: dataset.normalization?.mean ?? dataset.stats?.mean ?? [],
      std: dataset.normalization?.std ?? dataset.stats?.std ?? [],
      normalized: !!dataset.normalization,
      skipped: dataset.skipped.length,
    },
  })

  let start: TrainStart = { epochsDone: 0 }
  // Where a resumed run's clocks stand: its points' wall time and its training time continue from there.
  let resumedAt = { wallSeconds: 0, trainSeconds: 0 }
  // The notes' network at the configured input size (default: the architecture's), built for this
  // dataset's channels and classes; the trainer resizes batches when the sizes differ.
  const built = getArchitecture(config.arch, { inputSize: config.inputSize, channels, classes: dataset.classNames.length, knobs: config.knobs })
  if (WASM_HEAP_BACKENDS.includes(backend.name)) {
    const problem = wasmMemoryProblem(analyzeModel(built, built.input), config.batchSize, `${built.name} at ${built.input.height} px`)
    if (problem) throw new Error(problem)
  }
  let model: tfl.LayersModel = createModel(built, built.input, config.seed)
  if (request.resume) {
    const info = await readCheckpointInfo(runDir)
    if (!info) throw new Error('this run has no checkpoint to resume from (it stopped before finishing its first epoch)')
    model.dispose()
    const restored = await loadCheckpoint(runDir, info)
    model = restored.model
    resumedAt = { wallSeconds: info.wallSeconds ?? 0, trainSeconds: info.trainSeconds ?? 0 }
    start = {
      epochsDone: info.epoch,
      optimizerWeights: restored.optimizerWeights,
      bestValidationLoss: info.bestValidationLoss,
      epochsWithoutImprovement: info.epochsWithoutImprovement,
      lossScale: info.lossScale,
    }
  }
  const params = countTrainableParams(model)
  send({ type: 'backend', report: backend, params })

  const options: TrainOptions = {
    epochs: config.epochs,
    batchSize: config.batchSize,
    optimizer: config.optimizer,
    schedule: config,
    weightDecay: config.weightDecay,
    gradientClipNorm: config.gradientClipNorm,
    earlyStoppingPatience: config.earlyStoppingPatience,
    classes: dataset.classNames.length,
    imageShape: [height, width, channels],
    // Worker-thread replicas; the trainer uses them on the wasm backend only (the others are multi-threaded).
    parallelism: config.parallelism,
    ...(mixed ? { lossScaling: GRAD_SCALER_DEFAULTS } : {}),
  }
  const totalSamples = train.count * config.epochs
  const throttle = new ProgressThrottle(100)
  const started = performance.now()
  const wallSeconds = () => resumedAt.wallSeconds + (performance.now() - started) / 1000
  const startSamples = train.count * start.epochsDone
  const sendProgress = (epoch: number, samplesSeen: number, points: MetricPoint[]) => {
    const seconds = (performance.now() - started) / 1000
    const samplesPerSecond = seconds > 0 ? (samplesSeen - startSamples) / seconds : 0
    const etaSeconds = samplesPerSecond > 0 ? (totalSamples - samplesSeen) / samplesPerSecond : 0
    send({ type: 'progress', epoch, samplesSeen, totalSamples, samplesPerSecond, etaSeconds, points })
  }

  // Training (with its epochs' evaluations) computes in the run's precision; the saved model's reference
  // sample and the final test evaluation in fp32, the reference every backend's inference is checked against.
  setKernelPrecision(mixed ? 'mixed' : 'fp32')
  // What the trainer says about how it ran (the GPU input pipeline refused, with why): the run's warnings.
  const trainerNotes: string[] = []
  const outcome = await trainModelOnDevice(runDir, () => trainModel(
    model,
    { train, trainEval: config.evaluateTrainSplit ? dataset.trainEval : undefined, validation: dataset.validation, test: dataset.test },
    options,
    {
      onBatch: (batch) => {
        const point = { samples: batch.samplesSeen, epoch: batch.samplesSeen / train.count, loss: batch.loss, accuracy: batch.accuracy, learningRate: batch.learningRate, t: wallSeconds() }
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
          wallSeconds: wallSeconds(),
          trainSeconds: resumedAt.trainSeconds + state.trainSeconds,
          ...(state.lossScale ? { lossScale: state.lossScale } : {}),
        })
        send({ type: 'checkpoint', epoch: epoch.epoch })
      },
      shouldStop: () => control.shouldStop,
      untilResumed: () => control.untilResumed(),
      onNote: (note) => trainerNotes.push(note),
    },
    start,
  )).finally(() => setKernelPrecision('fp32'))
  const leftover = throttle.flush()
  if (leftover.length) sendProgress(start.epochsDone + outcome.epochs.length + 1, startSamples + outcome.samplesTrained, leftover)

  await saveModel(model, join(runDir, 'model'))
  await writeReferenceSample(runDir, model, await firstImage(dataset.test), [height, width, channels])
  // The final evaluation also counts what each class was taken for (confusion matrix, per-class accuracy).
  const test = await evaluate(model, dataset.test, options, 500, true)
  // A run stopped mid-epoch is evaluated here first: its weights may have diverged since the last epoch.
  assertFiniteEvaluation('test', test.loss, 'in the final evaluation', {
    learningRate: config.learningRate,
    scheduled: learningRateAt(options.schedule, start.epochsDone + outcome.epochs.length),
    optimizer: options.optimizer,
  })
  const confusionMatrix = test.confusionMatrix ?? []
  send({
    type: 'completed',
    stopped: outcome.stopped,
    notes: [...trainerNotes, ...(outcome.lossScaling ? [lossScalingNote(outcome.lossScaling)] : [])],
    result: {
      trainLoss: outcome.trainLoss,
      trainAccuracy: outcome.trainAccuracy,
      testLoss: test.loss,
      testAccuracy: test.accuracy,
      samplesPerSecond: outcome.trainSeconds > 0 ? outcome.samplesTrained / outcome.trainSeconds : 0,
      // The whole run's, across resumes; the throughput above is this session's own.
      trainSeconds: resumedAt.trainSeconds + outcome.trainSeconds,
      params,
      confusionMatrix,
      perClassAccuracy: perClassAccuracy(confusionMatrix),
    },
  })
  model.dispose()
}

/**
 * A GPU that is lost or out of memory mid-run makes whatever tfjs did next fail in its own words; the
 * run ends with the device's failure instead, and with where it can resume from.
 */
async function trainModelOnDevice<T>(runDir: string, train: () => Promise<T>): Promise<T> {
  try {
    return await train()
  } catch (error) {
    const failure = webgpuFailure()
    if (!failure) throw error
    const info = await readCheckpointInfo(runDir).catch(() => undefined)
    failure.message += info ? ` (last checkpoint: epoch ${info.epoch})` : ' (no checkpoint yet: it failed in its first epoch)'
    throw failure
  }
}

/** The first image of a split exactly as the model receives it (decoded, converted, normalized). */
async function firstImage(source: BatchSource): Promise<DataSplit> {
  for await (const batch of source.batches(0, 1)) return { count: 1, images: batch.images, labels: Uint8Array.from(batch.labels) }
  return { count: 0, images: new Float32Array(0), labels: new Uint8Array(0) }
}
