import { WorkbenchError } from '../../shared/api/contract'
import type { AugmentConfig, DatasetDescription, DataSample, DownloadProgress } from '../../shared/api/schemas'
import { DATASET_NAMES, FOLDER_DATASET_PREFIX } from '../../shared/api/schemas'
import { DatasetError } from '../data/pipeline/dataset'
import { describeOpened, folderOf, isFolderDataset, openDataset, sampleImages, type OpenedDataset } from '../data/datasetRegistry'
import { ensureCifar10, ensureFashionMnistIdx, isCifar10Cached } from '../data/download/datasetCache'
import { hasOfficialFashionMnist } from '../data/sources/fashionMnist'
import { DownloadError } from '../data/download/downloader'
import type { DownloadSpec } from '../data/download/checksums'
import type { UserPathGrants } from './userPathGrants'

export interface DataRequest {
  dataset: string
  size?: number
  channels?: 1 | 3
  validationFraction: number
  seed: number
  augment?: AugmentConfig
}

/** A data set problem the user can fix (missing folder, corrupt file, failed download): answered as bad input. */
export class DataInputError extends WorkbenchError {
  constructor(message: string) {
    super('bad-input', message)
    this.name = 'DataInputError'
  }
}

/**
 * Data sets for the API: descriptions and sample previews (a couple of opened data sets are kept so the
 * Data view's calls do not decode twice), downloads with progress events, and for folder data sets in the
 * desktop app the check that the user chose the folder.
 */
export class DataService {
  private readonly opened = new Map<string, Promise<OpenedDataset>>()
  private readonly downloads = new Map<string, Promise<string>>()
  /** The scan in progress per folder: a newer describe of the same folder cancels the older one. */
  private readonly scans = new Map<string, AbortController>()

  constructor(
    private readonly dataDir: string,
    private readonly emitProgress: (progress: DownloadProgress) => void,
    /** Present in the desktop app: a folder must have been chosen by the user. */
    private readonly grants?: UserPathGrants,
    /** Where CIFAR-10 comes from: the official archive unless a mirror (or a test server) is given. */
    private readonly cifar10Source?: DownloadSpec,
    private readonly emitScanProgress: (progress: { dataset: string; entries: number; files: number }) => void = () => {},
  ) {}

  /** Cancels the scan of a folder data set in progress, if any (the client left, or Cancel in the Data view). */
  cancelScan(dataset: string, reason = 'cancelled'): boolean {
    const scan = this.scans.get(dataset)
    scan?.abort(new DataInputError(`${folderOf(dataset)}: scan ${reason}`))
    return !!scan
  }

  /** Whether a scan of this folder data set is in progress. */
  isScanning(dataset: string): boolean {
    return this.scans.has(dataset)
  }

  private scanOptions(id: string): { signal: AbortSignal; onProgress: (progress: { entries: number; files: number }) => void; done: () => void } | undefined {
    if (!isFolderDataset(id)) return undefined
    this.cancelScan(id, 'cancelled: a newer scan of the same folder started')
    const controller = new AbortController()
    this.scans.set(id, controller)
    return {
      signal: controller.signal,
      onProgress: (progress) => this.emitScanProgress({ dataset: id, ...progress }),
      done: () => {
        if (this.scans.get(id) === controller) this.scans.delete(id)
      },
    }
  }

  list(): { id: string; name: string; available: boolean; note: string }[] {
    return [
      { id: 'mnist', name: DATASET_NAMES.mnist, available: true, note: 'handwritten digits, 28x28 gray; ships with the app' },
      {
        id: 'fashion-mnist',
        name: DATASET_NAMES['fashion-mnist'],
        available: true,
        note: hasOfficialFashionMnist(this.dataDir) ? 'clothing, 28x28 gray; official IDX files' : 'clothing, 28x28 gray; ships with the app',
      },
      { id: 'cifar10', name: DATASET_NAMES.cifar10, available: isCifar10Cached(this.dataDir), note: 'objects, 32x32 RGB; a 163 MB download on first use' },
    ]
  }

  /** The data set id to use: folders resolved through the grants (desktop), CIFAR-10 downloaded if needed. */
  async prepare(id: string): Promise<string> {
    if (isFolderDataset(id)) {
      if (!this.grants) return id
      return `${FOLDER_DATASET_PREFIX}${await this.grants.resolve(folderOf(id))}`
    }
    if (id === 'cifar10') await this.download('cifar10')
    return id
  }

  download(id: string): Promise<string> {
    let pending = this.downloads.get(id)
    if (!pending) {
      const run = async () => {
        if (id === 'cifar10') return ensureCifar10(this.dataDir, this.emitProgress, this.cifar10Source)
        if (id === 'fashion-mnist') return ensureFashionMnistIdx(this.dataDir, this.emitProgress)
        throw new DataInputError(`${id} needs no download`)
      }
      pending = run()
        .catch((error: unknown) => {
          throw error instanceof DownloadError || error instanceof DatasetError ? new DataInputError(error.message) : error
        })
        .finally(() => this.downloads.delete(id))
      this.downloads.set(id, pending)
    }
    return pending
  }

  private async open(request: DataRequest): Promise<OpenedDataset> {
    const id = await this.prepareForReading(request.dataset)
    const key = JSON.stringify({ ...request, dataset: id })
    let opened = this.opened.get(key)
    if (!opened) {
      const scan = this.scanOptions(id)
      opened = openDataset(id, {
        dataDir: this.dataDir,
        scan,
        seed: request.seed,
        validationFraction: request.validationFraction,
        augment: request.augment,
        normalize: 'none',
        shuffle: true,
        size: request.size,
        channels: request.channels,
        stats: true,
        cacheBytes: 64 * 2 ** 20,
      })
        .catch((error: unknown) => {
          this.opened.delete(key)
          throw error instanceof DatasetError ? new DataInputError(error.message) : error
        })
        .finally(() => scan?.done())
      this.opened.set(key, opened)
      // Keep the two most recent: the Data view's describe and samples share one.
      while (this.opened.size > 2) this.opened.delete(this.opened.keys().next().value as string)
    }
    return opened
  }

  private async prepareForReading(id: string): Promise<string> {
    if (id === 'cifar10' && !isCifar10Cached(this.dataDir)) {
      throw new DataInputError('CIFAR-10 is not downloaded yet: download it first (163 MB, once; it is verified and kept for offline use)')
    }
    return this.prepare(id)
  }

  async describe(request: DataRequest): Promise<DatasetDescription> {
    return describeOpened(await this.open(request))
  }

  async samples(request: DataRequest & { count: number }): Promise<{ imageShape: [number, number, number]; samples: DataSample[] }> {
    const dataset = await this.open(request)
    return { imageShape: dataset.imageShape, samples: await sampleImages(dataset, request.count, request.seed) }
  }
}
