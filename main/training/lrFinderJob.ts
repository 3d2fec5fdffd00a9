import { getArchitecture } from '../../shared/arch/specs'
import { resolveRun } from '../../shared/run/resolveRun'
import type { LrFinderResult, TrainConfig } from '../../shared/api/schemas'
import { selectBackend } from '../backends/backendLadder'
import { findLearningRate } from '../engine/trainingLoop/lrFinder'
import { createModel } from '../engine/model/modelFactory'
import { isFolderDataset } from '../data/datasetIds'
import { openDataset } from '../data/datasetRegistry'

/** The learning-rate range test on a fresh model of the run's architecture and data. */
export async function runLrFinderJob(request: { config: TrainConfig; dataDir?: string; minLearningRate: number; maxLearningRate: number; steps: number }): Promise<LrFinderResult> {
  const { config } = request
  const spec = getArchitecture(config.arch)
  await selectBackend(config.backend)
  const dataset = await openDataset(config.dataset, {
    dataDir: request.dataDir,
    seed: config.seed,
    validationFraction: 0,
    limit: config.limit,
    augment: config.augment,
    normalize: config.normalize,
    shuffle: config.shuffle,
    size: isFolderDataset(config.dataset) ? (config.inputSize ?? spec.input.height) : undefined,
  })
  const [height, width, channels] = dataset.imageShape
  const model = createModel(spec, { height, width, channels }, config.seed)
  try {
    return await findLearningRate(model, dataset.train, {
      optimizer: resolveRun(config).optimizer,
      batchSize: config.batchSize,
      classes: dataset.classNames.length,
      minLearningRate: request.minLearningRate,
      maxLearningRate: request.maxLearningRate,
      steps: request.steps,
    })
  } finally {
    model.dispose()
  }
}
