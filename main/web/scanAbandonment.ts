import { isFolderDataset } from '../data/datasetIds'

/**
 * Which folder scans each client waits for: when the last client waiting for a scan leaves, nobody
 * will read its answer, and it is cancelled (a scan of a large tree can take minutes).
 */
export class ScanAbandonment {
  private readonly waiting = new Map<string, number>()

  constructor(private readonly cancelScan: (dataset: string) => void) {}

  /** The dataset a data.describe / data.samples call scans, or undefined for any other call. */
  static scannedBy(method: string, request: unknown): string | undefined {
    if (method !== 'data.describe' && method !== 'data.samples') return undefined
    const dataset = (request as { dataset?: unknown } | null)?.dataset
    return typeof dataset === 'string' && isFolderDataset(dataset) ? dataset : undefined
  }

  /** One client's calls: `track` around each call; `leave` when its connection closes. */
  client(): { track<T>(dataset: string | undefined, call: Promise<T>): Promise<T>; leave(): void } {
    const mine = new Map<string, number>()
    const add = (dataset: string, by: number) => {
      mine.set(dataset, (mine.get(dataset) ?? 0) + by)
      this.waiting.set(dataset, (this.waiting.get(dataset) ?? 0) + by)
      if (!mine.get(dataset)) mine.delete(dataset)
      if (!this.waiting.get(dataset)) this.waiting.delete(dataset)
    }
    return {
      track: async (dataset, call) => {
        if (!dataset) return call
        add(dataset, 1)
        try {
          return await call
        } finally {
          if (mine.has(dataset)) add(dataset, -1)
        }
      },
      leave: () => {
        for (const [dataset, count] of [...mine]) {
          add(dataset, -count)
          if (!this.waiting.has(dataset)) this.cancelScan(dataset)
        }
      },
    }
  }
}
