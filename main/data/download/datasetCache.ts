import { createReadStream, createWriteStream, existsSync } from 'node:fs'
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { createGunzip } from 'node:zlib'
import type { DownloadProgress } from '../../../shared/api/schemas'
import { CIFAR10_RECORD_BYTES, CIFAR10_TEST_FILES, CIFAR10_TRAIN_FILES } from '../sources/cifar10'
import { fashionMnistIdxFolder } from '../sources/fashionMnist'
import { CIFAR10_ARCHIVE, FASHION_MNIST_FILES, type DownloadSpec } from './checksums'
import { DownloadError, downloadVerified } from './downloader'
import { extractTarGz } from './tarReader'

export type DatasetProgressListener = (progress: DownloadProgress) => void

/** The marker written last: a folder without it is an unfinished extraction and is never read. */
const READY = 'READY'

export function cifar10Folder(dataDir: string): string {
  return join(dataDir, 'datasets', 'cifar10', 'cifar-10-batches-bin')
}

export function isCifar10Cached(dataDir: string): boolean {
  return existsSync(join(cifar10Folder(dataDir), READY))
}

/**
 * The extracted CIFAR-10 binary batches, downloading (resumably, checksum-verified) and extracting them on
 * first use. Later calls work offline. Extraction goes to a temporary folder renamed into place only when
 * every batch is there with the right size, so an interrupted extraction is simply redone.
 */
export async function ensureCifar10(dataDir: string, onProgress: DatasetProgressListener = () => {}, spec: DownloadSpec = CIFAR10_ARCHIVE): Promise<string> {
  const folder = cifar10Folder(dataDir)
  if (isCifar10Cached(dataDir)) return folder
  const root = join(dataDir, 'datasets', 'cifar10')
  const archive = await downloadVerified(spec, join(root, 'downloads'), (progress) => onProgress({ dataset: 'cifar10', ...progress }))
  onProgress({ dataset: 'cifar10', file: spec.file, receivedBytes: spec.bytes ?? 0, totalBytes: spec.bytes, bytesPerSecond: 0, phase: 'extracting' })
  const temp = `${folder}.partial`
  await rm(temp, { recursive: true, force: true })
  const names = [...CIFAR10_TRAIN_FILES, ...CIFAR10_TEST_FILES]
  await extractTarGz(archive, temp, new Set([...names, 'batches.meta.txt']))
  for (const name of names) {
    const size = await stat(join(temp, name)).then((s) => s.size, () => -1)
    if (size < 0) throw new DownloadError(`${archive}: has no ${name}; it is not the CIFAR-10 binary archive`)
    if (size === 0 || size % CIFAR10_RECORD_BYTES !== 0) throw new DownloadError(`${archive}: ${name} is ${size} bytes, not whole CIFAR-10 records`)
  }
  await writeFile(join(temp, READY), JSON.stringify({ archive: spec.file, sha256: spec.sha256, md5: spec.md5, at: new Date().toISOString() }))
  await rm(folder, { recursive: true, force: true })
  await rename(temp, folder)
  // The batches are what is used; the verified archive is not needed any more (170 MB).
  await rm(archive, { force: true })
  onProgress({ dataset: 'cifar10', file: spec.file, receivedBytes: spec.bytes ?? 0, totalBytes: spec.bytes, bytesPerSecond: 0, phase: 'done' })
  return folder
}

/** Downloads the official Fashion-MNIST IDX files (verified), unzipped beside each other; later loads use them. */
export async function ensureFashionMnistIdx(dataDir: string, onProgress: DatasetProgressListener = () => {}, specs: DownloadSpec[] = FASHION_MNIST_FILES): Promise<string> {
  const folder = fashionMnistIdxFolder(dataDir)
  const downloads = join(folder, 'downloads')
  for (const spec of specs) {
    const idxName = spec.file.replace(/\.gz$/, '')
    if (existsSync(join(folder, idxName))) continue
    const gz = await downloadVerified(spec, downloads, (progress) => onProgress({ dataset: 'fashion-mnist', ...progress }))
    const temp = join(folder, `${idxName}.partial`)
    await mkdir(folder, { recursive: true })
    try {
      await pipeline(createReadStream(gz), createGunzip(), createWriteStream(temp))
    } catch (error) {
      await rm(temp, { force: true })
      throw new DownloadError(`${gz}: cannot be unzipped (${(error as Error).message})`)
    }
    await rename(temp, join(folder, idxName))
  }
  if (existsSync(downloads) && (await readdir(downloads)).every((name) => !name.endsWith('.part'))) await rm(downloads, { recursive: true, force: true })
  onProgress({ dataset: 'fashion-mnist', file: 'fashion-mnist', receivedBytes: 0, bytesPerSecond: 0, phase: 'done' })
  return folder
}
