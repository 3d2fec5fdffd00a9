import { FOLDER_DATASET_PREFIX } from '../../shared/api/schemas'
import { CIFAR10_CLASS_NAMES } from './sources/cifar10'
import { FASHION_MNIST_CLASS_NAMES } from './sources/fashionMnist'
import { MNIST_CLASS_NAMES } from './sources/mnist'

/*
 * What a data set id says without reading any data: light enough for the window's process, which must not
 * load the image decoder (datasetRegistry.ts and the folder readers run in workers).
 */

export function isFolderDataset(id: string): boolean {
  return id.startsWith(FOLDER_DATASET_PREFIX)
}

export function folderOf(id: string): string {
  return id.slice(FOLDER_DATASET_PREFIX.length)
}

/** Class names known without reading any data; folders' are read by the training worker. */
export function knownClassNames(id: string): string[] {
  if (id === 'mnist') return MNIST_CLASS_NAMES
  if (id === 'fashion-mnist') return FASHION_MNIST_CLASS_NAMES
  if (id === 'cifar10') return CIFAR10_CLASS_NAMES
  return []
}

