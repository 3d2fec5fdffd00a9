import type * as tfl from '@tensorflow/tfjs-layers'
import { trainEpochBatches, TrainingTally } from './epochBatches'
import { EarlyStopping, epochReport, evaluateEpoch } from './epochEvaluation'
import { setUpTraining } from './trainingSetup'
import type { EpochReport, TrainerCallbacks, TrainingData, TrainOptions, TrainOutcome, TrainStart } from './trainingContract'

/**
 * Mini-batch training with a seeded shuffle per epoch, a learning-rate schedule, optional weight decay,
 * gradient clipping and early stopping. Knows nothing of processes or windows: progress leaves through
 * callbacks, and stop/pause requests are polled between batches. How each batch is stepped (plain,
 * read behind, on GPU-resident data, loss-scaled) is stepRunners.ts's choice; this is the epoch loop.
 */
export async function trainModel(
  model: tfl.LayersModel,
  data: TrainingData,
  options: TrainOptions,
  callbacks: TrainerCallbacks,
  start: TrainStart = { epochsDone: 0 },
): Promise<TrainOutcome> {
  const setup = await setUpTraining(model, data.train, options, callbacks, start)
  const now = () => callbacks.now?.() ?? performance.now()
  const tally = new TrainingTally(data.train.count * start.epochsDone, data.train.count * options.epochs, now)
  const earlyStopping = new EarlyStopping(start)
  const epochs: EpochReport[] = []
  let stopped = false
  let earlyStopped = false
  try {
    for (let epoch = start.epochsDone + 1; epoch <= options.epochs && !stopped && !earlyStopped; epoch++) {
      const epochStart = now()
      stopped = await trainEpochBatches(setup, epoch, data.train.count, tally, callbacks)
      if (stopped) break
      const evaluations = await evaluateEpoch(model, data, options, epoch, setup.rate.atFailure())
      earlyStopping.record(evaluations)
      const report = epochReport(epoch, tally, evaluations, setup.rate.current, (now() - epochStart) / 1000)
      epochs.push(report)
      // One read of the scale per epoch, after the epoch's last loss was read: no stall between batches.
      const lossScale = setup.scaler ? (await setup.scaler.scale.data())[0] : undefined
      const { bestValidationLoss, epochsWithoutImprovement } = earlyStopping
      await callbacks.onEpoch(report, { optimizer: setup.optimizer, trainSeconds: tally.trainSeconds, bestValidationLoss, epochsWithoutImprovement, ...(lossScale ? { lossScale } : {}) })
      earlyStopped = earlyStopping.patienceRunOut(options.earlyStoppingPatience)
    }
  } finally {
    await setup.dispose()
  }
  const { trainLoss, trainAccuracy, samplesTrained, trainSeconds } = tally
  const lossScaling = setup.scaler ? { lossScaling: setup.scaler.summary() } : {}
  return { stopped, earlyStopped, epochs, trainLoss, trainAccuracy, trainSeconds, samplesTrained, inputPipeline: setup.inputPipeline, ...lossScaling }
}
