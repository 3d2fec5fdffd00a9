import type { DatasetDescription, DownloadProgress } from '../../shared/api/schemas'
import { DATASET_NAMES, FOLDER_DATASET_PREFIX } from '../../shared/api/schemas'
import { DatasetError } from '../data/pipeline/dataset'
import { folderOf, isFolderDataset } from '../data/datasetIds'
import { DataInputError, type DataReading, type DataRequest, type SamplesReply, type SamplesRequest } from '../data/dataReading'
import { ensureCifar10, ensureFashionMnistIdx, isCifar10Cached } from '../data/download/datasetCache'
import { hasOfficialFashionMnist } from '../data/sources/fashionMnist'
import { DownloadError } from '../data/download/downloader'
import type { DownloadSpec } from '../data/download/checksums'
import type { UserPathGrants } from './userPathGrants'

/**
 * Data sets for the API: the list, downloads with progress events, and for folder data sets in the desktop
 * app the check that the user chose the folder. Descriptions and sample previews decode images, so they are
 * read by a worker (`reader`), with the folder already resolved here.
 */
export class DataService {
  private readonly downloads = new Map<string, Promise<string>>()

  constructor(
    private readonly dataDir: string,
    private readonly emitProgress: (progress: DownloadProgress) => void,
    /** Present in the desktop app: a folder must have been chosen by the user. */
    private readonly grants: UserPathGrants | undefined,
    /** Where CIFAR-10 comes from: the official archive unless a mirror (or a test server) is given. */
    private readonly cifar10Source: DownloadSpec | undefined,
    /** Where images are decoded: a worker process (the window's process never loads the decoder). */
    private readonly reader: DataReading,
  ) {}

  /** Cancels the scan of a folder data set in progress, if any (the client left, or Cancel in the Data view). */
  cancelScan(dataset: string, reason = 'cancelled'): boolean {
    return this.reader.cancelScan(dataset, reason)
  }

  /** Whether a scan of this folder data set is in progress. */
  isScanning(dataset: string): boolean {
    return this.reader.isScanning(dataset)
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

  private async prepareForReading(id: string): Promise<string> {
    if (id === 'cifar10' && !isCifar10Cached(this.dataDir)) {
      throw new DataInputError('CIFAR-10 is not downloaded yet: download it first (163 MB, once; it is verified and kept for offline use)')
    }
    return this.prepare(id)
  }

  async describe(request: DataRequest): Promise<DatasetDescription> {
    return this.reader.describe({ ...request, dataset: await this.prepareForReading(request.dataset) })
  }

  async samples(request: SamplesRequest): Promise<SamplesReply> {
    return this.reader.samples({ ...request, dataset: await this.prepareForReading(request.dataset) })
  }
}
