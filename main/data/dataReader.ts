import type { DatasetDescription } from '../../shared/api/schemas'
import { DatasetError } from './pipeline/dataset'
import { folderOf, isFolderDataset } from './datasetIds'
import { describeOpened, openDataset, sampleImages, type OpenedDataset } from './datasetRegistry'
import { DataInputError, type DataReading, type DataRequest, type SamplesReply, type SamplesRequest, type ScanProgress } from './dataReading'

/**
 * Reads data sets here, decoding images: what the worker runs. A couple of opened data sets are kept so the
 * Data view's describe and samples do not decode twice; a newer scan of a folder cancels the older one.
 */
export class DataReader implements DataReading {
  private readonly opened = new Map<string, Promise<OpenedDataset>>()
  /** The scan in progress per folder: a newer describe of the same folder cancels the older one. */
  private readonly scans = new Map<string, AbortController>()

  constructor(
    private readonly dataDir: string,
    private readonly emitScanProgress: (progress: ScanProgress) => void = () => {},
  ) {}

  cancelScan(dataset: string, reason = 'cancelled'): boolean {
    const scan = this.scans.get(dataset)
    scan?.abort(new DataInputError(`${folderOf(dataset)}: scan ${reason}`))
    return !!scan
  }

  isScanning(dataset: string): boolean {
    return this.scans.has(dataset)
  }

  async describe(request: DataRequest): Promise<DatasetDescription> {
    return describeOpened(await this.open(request))
  }

  async samples(request: SamplesRequest): Promise<SamplesReply> {
    const dataset = await this.open(request)
    return { imageShape: dataset.imageShape, samples: await sampleImages(dataset, request.count, request.seed) }
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

  private open({ count: _count, ...request }: DataRequest & { count?: number }): Promise<OpenedDataset> {
    const key = JSON.stringify(request)
    let opened = this.opened.get(key)
    if (!opened) {
      const scan = this.scanOptions(request.dataset)
      opened = openDataset(request.dataset, {
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
}
