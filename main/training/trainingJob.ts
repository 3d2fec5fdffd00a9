import { resolveRun, type ResolvedRun } from '../../shared/run/resolveRun'
import type { TrainConfig } from '../../shared/api/schemas'
import { selectBackend } from '../backends/backendLadder'
import { activeNativeKernels } from '../backends/native/wasmBlasKernels'
import { webgpuOffersF16 } from '../backends/webgpu/webgpuRung'
import { countTrainableParams } from '../engine/model/modelFactory'
import type { TrainOptions } from '../engine/trainingLoop/trainingContract'
import { GRAD_SCALER_DEFAULTS } from '../engine/trainingLoop/lossScaler'
import { mixedPrecisionProblem } from '../../shared/mixedPrecision'
import type { OpenedDataset } from '../data/datasetRegistry'
import { openJobDataset } from './jobDataset'
import { buildOrRestoreModel } from './jobModel'
import { trainJobModel } from './jobTraining'
import { saveAndEvaluate } from './jobResult'
import type { RunControl } from './runControl'
import type { FromWorker } from './workerProtocol'

export interface TrainingJobRequest {
  config: TrainConfig
  runDir: string
  /** Continue from the run's last checkpoint instead of starting afresh. */
  resume: boolean
  /** Cores the native kernels may use; absent: all. */
  kernelThreads?: number
}

function trainOptions(config: ResolvedRun, dataset: OpenedDataset): TrainOptions {
  const mixed = config.precision === 'mixed'
  return {
    epochs: config.epochs,
    batchSize: config.batchSize,
    optimizer: config.optimizer,
    schedule: config,
    weightDecay: config.weightDecay,
    gradientClipNorm: config.gradientClipNorm,
    earlyStoppingPatience: config.earlyStoppingPatience,
    classes: dataset.classNames.length,
    imageShape: [...dataset.imageShape],
    // Worker-thread replicas; the trainer uses them on the wasm backend only (the others are multi-threaded).
    parallelism: config.parallelism,
    ...(mixed ? { lossScaling: GRAD_SCALER_DEFAULTS } : {}),
  }
}

/**
 * One training run from backend choice to saved model, reporting through `send`: open the data, build or
 * restore the model, train, then evaluate and save. The worker process runs this; it is a plain function so
 * that it can be tested in-process too.
 */
export async function runTrainingJob(request: TrainingJobRequest, send: (message: FromWorker) => void, control: RunControl): Promise<void> {
  // Stored configs are resolved already; one recorded before presets were (no optimizer) resolves as it ran.
  const config = resolveRun(request.config)
  const { runDir } = request
  const backend = await selectBackend(config.backend)
  const mixedPrecision = config.precision === 'mixed'
  if (mixedPrecision) {
    const problem = mixedPrecisionProblem(config.backend, backend, backend.name === 'webgpu' ? webgpuOffersF16() : undefined)
    if (problem) throw new Error(problem)
  }
  if (request.kernelThreads) activeNativeKernels()?.addon.setThreads(request.kernelThreads)
  const dataset = await openJobDataset(config, runDir, send)
  const jobModel = await buildOrRestoreModel(config, { channels: dataset.imageShape[2], classes: dataset.classNames.length }, backend.name, request.resume ? { runDir } : undefined)
  const params = countTrainableParams(jobModel.model)
  send({ type: 'backend', report: backend, params })

  const options = trainOptions(config, dataset)
  const data = { train: dataset.train, trainEval: config.evaluateTrainSplit ? dataset.trainEval : undefined, validation: dataset.validation, test: dataset.test }
  const trained = await trainJobModel({ runDir, data, options, mixedPrecision, control, send }, jobModel)
  const { model, start, resumedAt } = jobModel
  await saveAndEvaluate({ runDir, model, test: dataset.test, options, start, trainSecondsBefore: resumedAt.trainSeconds, params, trained }, send)
  model.dispose()
}
