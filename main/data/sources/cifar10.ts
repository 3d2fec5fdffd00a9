import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { DatasetError, type DataSplit, type Dataset } from '../pipeline/dataset'

export const CIFAR10_CLASS_NAMES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']
export const CIFAR10_TRAIN_FILES = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin']
export const CIFAR10_TEST_FILES = ['test_batch.bin']
const SIDE = 32
const PLANE = SIDE * SIDE
/** One label byte, then the red, green and blue planes (32x32 each, row-major). */
export const CIFAR10_RECORD_BYTES = 1 + 3 * PLANE

export class CifarFormatError extends DatasetError {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}`)
    this.name = 'CifarFormatError'
  }
}

/** Records of one binary batch file, checked: whole records only, labels 0-9. Pixels become HWC bytes. */
export function parseCifarBatch(bytes: Uint8Array, file: string): DataSplit {
  if (bytes.length === 0) throw new CifarFormatError(file, 'is empty')
  if (bytes.length % CIFAR10_RECORD_BYTES !== 0) {
    const whole = Math.floor(bytes.length / CIFAR10_RECORD_BYTES)
    throw new CifarFormatError(
      file,
      `is ${bytes.length} bytes, not a whole number of ${CIFAR10_RECORD_BYTES}-byte records (truncated or corrupt after record ${whole})`,
    )
  }
  const count = bytes.length / CIFAR10_RECORD_BYTES
  const images = new Uint8Array(count * PLANE * 3)
  const labels = new Uint8Array(count)
  for (let r = 0; r < count; r++) {
    const base = r * CIFAR10_RECORD_BYTES
    const label = bytes[base]
    if (label > 9) throw new CifarFormatError(file, `record ${r} has label ${label}; CIFAR-10 labels are 0-9 (is this a CIFAR-100 file, or corrupt?)`)
    labels[r] = label
    const out = r * PLANE * 3
    for (let p = 0; p < PLANE; p++) {
      images[out + p * 3] = bytes[base + 1 + p]
      images[out + p * 3 + 1] = bytes[base + 1 + PLANE + p]
      images[out + p * 3 + 2] = bytes[base + 1 + 2 * PLANE + p]
    }
  }
  return { count, images, labels }
}

export function concatSplits(splits: DataSplit[]): DataSplit {
  const count = splits.reduce((sum, split) => sum + split.count, 0)
  const images = new Uint8Array(splits.reduce((sum, split) => sum + split.images.length, 0))
  const labels = new Uint8Array(count)
  let imageOffset = 0
  let labelOffset = 0
  for (const split of splits) {
    images.set(split.images as Uint8Array, imageOffset)
    labels.set(split.labels, labelOffset)
    imageOffset += split.images.length
    labelOffset += split.count
  }
  return { count, images, labels }
}

async function readBatchFiles(folder: string, files: string[]): Promise<DataSplit> {
  const splits: DataSplit[] = []
  for (const name of files) {
    const path = join(folder, name)
    let bytes: Uint8Array
    try {
      bytes = new Uint8Array(await readFile(path))
    } catch (error) {
      throw new DatasetError(`cannot read ${path}: ${(error as Error).message}`)
    }
    splits.push(parseCifarBatch(bytes, path))
  }
  return concatSplits(splits)
}

/** CIFAR-10 from an extracted, verified `cifar-10-batches-bin` folder: 50,000 train and 10,000 test images, 32x32 RGB. */
export async function loadCifar10(folder: string): Promise<Dataset> {
  const [train, test] = await Promise.all([readBatchFiles(folder, CIFAR10_TRAIN_FILES), readBatchFiles(folder, CIFAR10_TEST_FILES)])
  return { id: 'cifar10', classNames: CIFAR10_CLASS_NAMES, imageShape: { height: SIDE, width: SIDE, channels: 3 }, train, test }
}
