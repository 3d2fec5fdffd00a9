import { WorkbenchError } from '../../shared/api/contract'
import type { AugmentConfig, DatasetDescription, DataSample } from '../../shared/api/schemas'

/*
 * What the Data view reads, as the window's process sees it: requests, replies and errors, without the
 * readers (dataReader.ts), which decode images and run in a worker.
 */

/** What the Data view asks to read: the data set (folders already resolved through the user's grants) and how. */
export interface DataRequest {
  dataset: string
  size?: number
  channels?: 1 | 3
  validationFraction: number
  seed: number
  augment?: AugmentConfig
}

export type SamplesRequest = DataRequest & { count: number }
export type SamplesReply = { imageShape: [number, number, number]; samples: DataSample[] }
export type ScanProgress = { dataset: string; entries: number; files: number }

/** A data set problem the user can fix (missing folder, corrupt file, failed download): answered as bad input. */
export class DataInputError extends WorkbenchError {
  constructor(message: string) {
    super('bad-input', message)
    this.name = 'DataInputError'
  }
}

/** Descriptions and sample previews of data sets: read in a worker process (the inference worker), cancellable. */
export interface DataReading {
  describe(request: DataRequest): Promise<DatasetDescription>
  samples(request: SamplesRequest): Promise<SamplesReply>
  /** Cancels the scan of a folder data set in progress, if any (the client left, or Cancel in the Data view). */
  cancelScan(dataset: string, reason?: string): boolean
  isScanning(dataset: string): boolean
}
