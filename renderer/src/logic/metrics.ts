import { type RunStatus, type EpochMetrics, type MetricPoint, type RunSummary } from '../../../shared/api/schemas'

// Defined once beside RunStatus; the views know them by these names.
export { isActiveRunStatus as isActive } from '../../../shared/api/schemas'

/** What the progress bar shows, from the latest `run.progress` event. */
export interface RunProgress {
  epoch: number
  epochs: number
  samplesSeen: number
  totalSamples: number
  samplesPerSecond: number
  etaSeconds: number
}

/**
 * What a run is doing when a percentage would say nothing (0% for the seconds its data loads, 100% while
 * it is evaluated): the worker opens the data (`dataset` message), builds the model (`backend`), then
 * trains (`progress`) and finally evaluates and saves. Undefined while batches are being trained.
 */
export function runStage(run: Pick<RunSummary, 'status' | 'data' | 'backend'> | undefined, progress: RunProgress | undefined): string | undefined {
  const status = run?.status ?? 'queued'
  if (status === 'queued') return 'Waiting in the queue'
  if (status !== 'running') return undefined
  if (progress) return progress.totalSamples > 0 && progress.samplesSeen >= progress.totalSamples ? 'Evaluating on the test set and saving the model' : undefined
  if (!run?.data) return 'Loading data'
  if (!run.backend) return 'Building the model'
  return 'Training the first batches'
}

/** `1 epoch`, `3 epochs`. */
export function epochCount(epochs: number): string {
  return `${epochs} epoch${epochs === 1 ? '' : 's'}`
}

/** Whole percent done, 0-100, as the progress bar's `aria-valuenow`. */
export function progressPercent(progress: RunProgress | undefined, status: RunStatus | undefined): number {
  if (status === 'completed') return 100
  if (!progress || progress.totalSamples <= 0) return 0
  const percent = Math.floor((progress.samplesSeen / progress.totalSamples) * 100)
  return Math.min(100, Math.max(0, percent))
}

/**
 * Appends to `target` the points of `incoming` that lie beyond its last one (samples strictly
 * increasing), so replays and overlaps between history and live events never double a point.
 * Returns how many were added.
 */
export function appendNewPoints(target: MetricPoint[], incoming: readonly MetricPoint[]): number {
  let last = target.length > 0 ? target[target.length - 1]!.samples : -1
  let added = 0
  for (const point of incoming) {
    if (point.samples > last) {
      target.push(point)
      last = point.samples
      added++
    }
  }
  return added
}

/** Epoch records keyed by epoch number, sorted; a later record for the same epoch replaces the earlier. */
export function mergeEpochs(current: readonly EpochMetrics[], incoming: readonly EpochMetrics[]): EpochMetrics[] {
  const byEpoch = new Map<number, EpochMetrics>()
  for (const record of current) byEpoch.set(record.epoch, record)
  for (const record of incoming) byEpoch.set(record.epoch, record)
  return [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch)
}

export interface EpochMarker {
  epoch: number
  samples: number
  testAccuracy: number
  testLoss: number
  validationAccuracy?: number
  validationLoss?: number
}

/**
 * Where each epoch's test accuracy sits on the samples axis: at the end of that epoch.
 * `samplesPerEpoch` comes from the live progress or, failing that, from the run's configuration.
 */
export function epochMarkers(epochs: readonly EpochMetrics[], samplesPerEpoch: number): EpochMarker[] {
  if (!(samplesPerEpoch > 0)) return []
  return epochs.map((record) => ({
    epoch: record.epoch,
    samples: Math.round(record.epoch * samplesPerEpoch),
    testAccuracy: record.testAccuracy,
    testLoss: record.testLoss,
    validationAccuracy: record.validationAccuracy,
    validationLoss: record.validationLoss,
  }))
}

/**
 * Training images per epoch for placing epoch markers: exact from live progress, else inferred from
 * a finished run's last point, else the configured limit (`undefined` when nothing tells).
 */
export function samplesPerEpoch(options: {
  progress?: RunProgress
  epochs: number
  limit?: number
  status?: RunStatus
  points: readonly MetricPoint[]
}): number | undefined {
  const { progress, epochs, limit, status, points } = options
  if (progress && progress.totalSamples > 0 && progress.epochs > 0) return progress.totalSamples / progress.epochs
  // Each point's `epoch` is fractional (samples / images per epoch), so any point past zero tells.
  const last = points[points.length - 1]
  if (last && last.epoch > 0 && last.samples > 0) return last.samples / last.epoch
  if (status === 'completed' && last && epochs > 0) return last.samples / epochs
  return limit
}
