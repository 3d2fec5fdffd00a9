import type { TrainConfig } from '../../shared/api/schemas'
import { getArchitecture } from '../../shared/arch/specs'
import { isFolderDataset } from '../data/datasetIds'
import { openDataset, type OpenedDataset } from '../data/datasetRegistry'
import { dataDirOfRunDir } from '../storage/dataDir'
import type { FromWorker } from './workerProtocol'

/** A training job's data set, opened and checked, and announced with its counts and statistics. */
export async function openJobDataset(config: TrainConfig, runDir: string, send: (message: FromWorker) => void): Promise<OpenedDataset> {
  const spec = getArchitecture(config.arch)
  // Folders are decoded straight to the network's input size; in-memory sets keep theirs (the trainer resizes).
  const dataset = await openDataset(config.dataset, {
    dataDir: dataDirOfRunDir(runDir),
    seed: config.seed,
    validationFraction: config.validationFraction,
    limit: config.limit,
    testLimit: config.testLimit,
    augment: config.augment,
    normalize: config.normalize,
    shuffle: config.shuffle,
    size: isFolderDataset(config.dataset) ? (config.inputSize ?? spec.input.height) : undefined,
    stats: !isFolderDataset(config.dataset),
    onSkip: (file) => send({ type: 'unreadable', file }),
  })
  if (dataset.classNames.length < 2) throw new Error(`${config.dataset} has ${dataset.classNames.length} class; training needs at least 2`)
  if (dataset.train.count === 0) throw new Error(`${config.dataset} has no training images`)
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
  return dataset
}
