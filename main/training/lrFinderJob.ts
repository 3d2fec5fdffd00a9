import { getArchitecture } from '../../shared/arch/specs'
import type { LrFinderResult, TrainConfig } from '../../shared/api/schemas'
import { selectBackend } from '../engine/backendLadder'
import { findLearningRate } from '../engine/lrFinder'
import { createModel } from '../engine/modelFactory'
import { loadDataset } from '../data/datasetRegistry'
import { takeFirst } from '../data/dataset'
import { inMemoryBatchSource } from '../data/batchSource'

/** The learning-rate range test on a fresh model of the run's architecture and data. */
export async function runLrFinderJob(request: { config: TrainConfig; minLearningRate: number; maxLearningRate: number; steps: number }): Promise<LrFinderResult> {
  const { config } = request
  const spec = getArchitecture(config.arch)
  await selectBackend(config.backend)
  const dataset = await loadDataset(config.dataset)
  const { height, width, channels } = dataset.imageShape
  const train = takeFirst(dataset.train, config.limit, height * width * channels)
  const model = createModel(spec, dataset.imageShape, config.seed)
  try {
    return await findLearningRate(model, inMemoryBatchSource(train, [height, width, channels], { seed: config.seed }), {
      optimizer: config.optimizer ?? spec.defaults.optimizer,
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
