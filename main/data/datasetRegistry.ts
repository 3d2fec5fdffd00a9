import type { DatasetId } from '../../shared/api/schemas'
import type { Dataset } from './dataset'
import { loadMnist, MNIST_CLASS_NAMES } from './mnist'

const loaders: Record<DatasetId, () => Promise<Dataset>> = {
  mnist: () => loadMnist(),
}

export function loadDataset(id: DatasetId): Promise<Dataset> {
  return loaders[id]()
}

export const DATASET_CLASS_NAMES: Record<DatasetId, string[]> = {
  mnist: MNIST_CLASS_NAMES,
}
