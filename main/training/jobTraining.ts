import type { MetricPoint } from '../../shared/api/schemas'
import { writeCheckpoint } from '../engine/model/checkpoint'
import { trainModel } from '../engine/trainingLoop/trainer'
import type { TrainerCallbacks, TrainingData, TrainOptions, TrainOutcome } from '../engine/trainingLoop/trainingContract'
import { webgpuFailure } from '../backends/webgpu/deviceHealth'
import { setKernelPrecision } from '../backends/webgpu/kernels/precision'
import { readCheckpointInfo } from '../storage/checkpointInfo'
import { ProgressThrottle } from './progressThrottle'
import type { RunControl } from './runControl'
import type { JobModel } from './jobModel'
import type { FromWorker } from './workerProtocol'

export interface JobTraining {
  runDir: string
  data: TrainingData
  options: TrainOptions
  mixedPrecision: boolean
  control: RunControl
  send: (message: FromWorker) => void
}

/** How the trainer ran, with what it said along the way (the GPU input pipeline refused, with why): the run's warnings. */
export interface JobTrainingOutcome {
  outcome: TrainOutcome
  notes: string[]
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

/** The trainer's callbacks for a job: throttled progress messages, and a checkpoint after every epoch. */
function jobCallbacks(job: JobTraining, { model, start, resumedAt }: JobModel, notes: string[]): { callbacks: TrainerCallbacks; sendLeftover(outcome: TrainOutcome): void } {
  const { send, runDir, control } = job
  const throttle = new ProgressThrottle(100)
  const train = job.data.train
  const totalSamples = train.count * job.options.epochs
  // Every time is on the run's clock, which stands still while the run is paused.
  const started = control.now()
  const activeSeconds = () => (control.now() - started) / 1000
  const wallSeconds = () => resumedAt.wallSeconds + activeSeconds()
  const startSamples = train.count * start.epochsDone
  // Samples per second of training time (batches only), as the result's throughput; the ETA uses the
  // elapsed time, evaluations included, which is what the rest of the run will take too.
  const sendProgress = (epoch: number, samplesSeen: number, trainSeconds: number, points: MetricPoint[]) => {
    const trained = samplesSeen - startSamples
    const samplesPerSecond = trainSeconds > 0 ? trained / trainSeconds : 0
    const elapsed = activeSeconds()
    const etaSeconds = trained > 0 && elapsed > 0 ? (totalSamples - samplesSeen) / (trained / elapsed) : 0
    send({ type: 'progress', epoch, samplesSeen, totalSamples, samplesPerSecond, etaSeconds, points })
  }
  const callbacks: TrainerCallbacks = {
    onBatch: (batch) => {
      const point = { samples: batch.samplesSeen, epoch: batch.samplesSeen / train.count, loss: batch.loss, accuracy: batch.accuracy, learningRate: batch.learningRate, t: wallSeconds() }
      const points = throttle.add(point)
      if (points) sendProgress(batch.epoch, batch.samplesSeen, batch.trainSeconds, points)
    },
    onEpoch: async (epoch, state) => {
      sendProgress(epoch.epoch, epoch.epoch * train.count, state.trainSeconds, throttle.flush())
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
    now: () => control.now(),
    onNote: (note) => notes.push(note),
  }
  // The points a stop left unsent since the last message.
  const sendLeftover = (outcome: TrainOutcome) => {
    const leftover = throttle.flush()
    if (leftover.length) sendProgress(start.epochsDone + outcome.epochs.length + 1, startSamples + outcome.samplesTrained, outcome.trainSeconds, leftover)
  }
  return { callbacks, sendLeftover }
}

/** Trains a job's model, reporting progress and checkpointing as it goes. */
export async function trainJobModel(job: JobTraining, jobModel: JobModel): Promise<JobTrainingOutcome> {
  const notes: string[] = []
  const { callbacks, sendLeftover } = jobCallbacks(job, jobModel, notes)
  // Training (with its epochs' evaluations) computes in the run's precision; the saved model's reference
  // sample and the final test evaluation in fp32, the reference every backend's inference is checked against.
  setKernelPrecision(job.mixedPrecision ? 'mixed' : 'fp32')
  const outcome = await trainModelOnDevice(job.runDir, () => trainModel(jobModel.model, job.data, job.options, callbacks, jobModel.start)).finally(() => setKernelPrecision('fp32'))
  sendLeftover(outcome)
  return { outcome, notes }
}
