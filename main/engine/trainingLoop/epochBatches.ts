import { afterTrainingBatch, guardGpuRead } from '../../backends/webgpu/deviceHealth'
import { NonFiniteLossError } from './nonFiniteLoss'
import type { TrainerCallbacks } from './trainingContract'
import type { TrainingSetup } from './trainingSetup'

/**
 * What the batches of one call of trainModel add up to: samples and training seconds across epochs, loss
 * and accuracy within the current one.
 */
export class TrainingTally {
  samplesTrained = 0
  /** Of the current epoch so far (of the last one once training ends, complete or cut short by a stop). */
  trainLoss = NaN
  trainAccuracy = 0
  private lossSum = 0
  private correctSum = 0
  private epochSamples = 0
  /** Training seconds of the epochs whose batches are done. */
  private secondsBefore = 0
  /** When the current epoch's batches began (on `now`'s clock); undefined between epochs. */
  private epochStartedAt: number | undefined

  constructor(
    /** Counted from the run's start, a resumed run's earlier epochs included. */
    public samplesSeen: number,
    readonly totalSamples: number,
    /** The run's clock in milliseconds (standing still while paused). */
    readonly now: () => number = () => performance.now(),
  ) {}

  startEpoch(): void {
    this.lossSum = 0
    this.correctSum = 0
    this.epochSamples = 0
    this.epochStartedAt = this.now()
  }

  endEpoch(): void {
    this.secondsBefore = this.trainSeconds
    this.epochStartedAt = undefined
  }

  /** Seconds spent training batches so far: evaluations between epochs and pauses are not counted. */
  get trainSeconds(): number {
    return this.secondsBefore + (this.epochStartedAt === undefined ? 0 : (this.now() - this.epochStartedAt) / 1000)
  }

  add(size: number, loss: number, correct: number): void {
    this.samplesSeen += size
    this.samplesTrained += size
    this.epochSamples += size
    this.lossSum += loss * size
    this.correctSum += correct
    this.trainLoss = this.lossSum / this.epochSamples
    this.trainAccuracy = this.correctSum / this.epochSamples
  }
}

/** A step queued on the device, with the rate it ran at, waiting for its numbers to be read. */
interface QueuedStep {
  size: number
  learningRate: number
  readings: Promise<[number, number]>
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve))

async function reportBatch(queued: QueuedStep, epoch: number, setup: TrainingSetup, tally: TrainingTally, callbacks: TrainerCallbacks): Promise<void> {
  const [loss, correct] = await guardGpuRead(queued.readings)
  if (!Number.isFinite(loss)) {
    // Loss scaling does not touch the loss itself: in mixed precision the forward pass overflowed f16.
    const where = `in epoch ${epoch} after ${tally.samplesSeen + queued.size} samples${setup.scaler ? ' in mixed precision (f16 operands overflow beyond 65504; --precision fp32 avoids that)' : ''}`
    throw new NonFiniteLossError('training', loss, where, setup.rate.atFailure(queued.learningRate))
  }
  tally.add(queued.size, loss, correct)
  const { samplesSeen, totalSamples } = tally
  callbacks.onBatch({ epoch, samplesSeen, totalSamples, loss, accuracy: correct / queued.size, learningRate: queued.learningRate, trainSeconds: tally.trainSeconds })
}

/**
 * One epoch's training batches: each step queued, its numbers read up to `readBehind` batches later and
 * every batch reported in order. Stop and pause requests are polled between batches; true when a stop
 * ended the epoch early.
 */
export async function trainEpochBatches(setup: TrainingSetup, epoch: number, trainCount: number, tally: TrainingTally, callbacks: TrainerCallbacks): Promise<boolean> {
  tally.startEpoch()
  // Samples whose step is queued, reported or not: the schedule follows them, as without read-behind.
  let queuedSamples = 0
  let stopped = false
  const pending: QueuedStep[] = []
  for await (const batch of setup.batches(epoch)) {
    const learningRate = setup.rate.advanceTo(epoch - 1 + queuedSamples / trainCount, setup.optimizer)
    const readings = setup.step(batch)
    // Read later, maybe after a failure elsewhere: never an unhandled rejection meanwhile.
    readings.catch(() => {})
    pending.push({ size: batch.size, learningRate, readings })
    queuedSamples += batch.size
    while (pending.length > setup.readBehind) await reportBatch(pending.shift()!, epoch, setup, tally, callbacks)
    afterTrainingBatch()
    await yieldToEventLoop()
    if (callbacks.untilResumed) await callbacks.untilResumed()
    if (callbacks.shouldStop()) {
      stopped = true
      break
    }
  }
  while (pending.length) await reportBatch(pending.shift()!, epoch, setup, tally, callbacks)
  tally.endEpoch()
  return stopped
}
