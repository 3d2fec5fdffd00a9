import { getArchitecture } from '../../shared/arch/specs'
import { resolveRun } from '../../shared/run/resolveRun'
import { analyzeModel } from '../../shared/arch/layerMath'
import { WASM_HEAP_BACKENDS, wasmMemoryProblem } from '../../shared/arch/memoryBudget'
import type { LrFinderResult, TrainConfig } from '../../shared/api/schemas'
import { selectBackend } from '../backends/backendLadder'
import { findLearningRate } from '../engine/trainingLoop/lrFinder'
import { createModel } from '../engine/model/modelFactory'
import { isFolderDataset } from '../data/datasetIds'
import { openDataset } from '../data/datasetRegistry'

/**
 * The learning-rate range test on a fresh model of the run's architecture (its knobs: shortcuts, width...)
 * and data; `onPoint` hears each batch as it is measured.
 */
export async function runLrFinderJob(
  request: { config: TrainConfig; dataDir?: string; minLearningRate: number; maxLearningRate: number; steps: number },
  onPoint?: (point: LrFinderResult['points'][number], step: number) => void,
): Promise<LrFinderResult> {
  const { config } = request
  const spec = getArchitecture(config.arch, { inputSize: config.inputSize, knobs: config.knobs })
  const backend = await selectBackend(config.backend)
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
  const [, , channels] = dataset.imageShape
  // The network the run would train (input size, knobs); batches of another size are resized to it, as in training.
  const built = getArchitecture(config.arch, { inputSize: config.inputSize, knobs: config.knobs, channels, classes: dataset.classNames.length })
  if (WASM_HEAP_BACKENDS.includes(backend.name)) {
    const problem = wasmMemoryProblem(analyzeModel(built, built.input), config.batchSize, `${built.name} at ${built.input.height} px`)
    if (problem) throw new Error(problem)
  }
  const model = createModel(built, built.input, config.seed)
  try {
    return await findLearningRate(model, dataset.train, {
      optimizer: resolveRun(config).optimizer,
      batchSize: config.batchSize,
      classes: dataset.classNames.length,
      minLearningRate: request.minLearningRate,
      maxLearningRate: request.maxLearningRate,
      steps: request.steps,
    }, onPoint)
  } finally {
    model.dispose()
  }
}
