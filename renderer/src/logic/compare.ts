import { datasetShortName, runDisplayName } from '../../../shared/runNames'
import { DISPLAY_STATUS_INFO, displayStatus } from '../../../shared/runOutcome'
import type { EpochMetrics, MetricPoint, RunSummary } from '../../../shared/api/schemas'
import { downsampleMinMax, type XY } from './downsample'
import { formatPercent, formatShortTimestamp } from './format'

/** What the Compare view's curves are plotted against. */
export type CompareAxis = 'epoch' | 'samples' | 'time'
export const COMPARE_AXES: readonly { id: CompareAxis; label: string }[] = [
  { id: 'epoch', label: 'Epoch' },
  { id: 'samples', label: 'Samples seen' },
  { id: 'time', label: 'Wall time (s)' },
]
export const MIN_COMPARED = 2
export const MAX_COMPARED = 6


/**
 * Wall-clock seconds of each point: its own `t` when the worker recorded it, otherwise interpolated
 * within its epoch from the epochs' durations (older runs). Runs resumed before the worker carried its
 * clock across a resume restart `t` at 0: those points continue from the last time instead.
 */
export function pointTimes(points: readonly MetricPoint[], epochs: readonly EpochMetrics[]): number[] {
  const ends: number[] = []
  let total = 0
  for (const record of [...epochs].sort((a, b) => a.epoch - b.epoch)) ends[record.epoch] = total += record.seconds
  const start = (epoch: number) => (epoch <= 0 ? 0 : (ends[epoch] ?? NaN))
  let offset = 0
  let last = 0
  return points.map((point) => {
    if (point.t !== undefined) {
      if (point.t + offset < last) offset = last - point.t
      last = point.t + offset
      return last
    }
    const whole = Math.floor(point.epoch)
    const begin = start(whole)
    const end = ends[whole + 1]
    if (Number.isFinite(begin) && end !== undefined) return begin + (end - begin) * (point.epoch - whole)
    return NaN
  })
}

/** One metric of a run's per-batch points against the chosen axis, thinned for drawing. */
export function curve(
  points: readonly MetricPoint[],
  epochs: readonly EpochMetrics[],
  metric: 'loss' | 'accuracy',
  axis: CompareAxis,
  maxPoints = 1500,
): XY[] {
  const times = axis === 'time' ? pointTimes(points, epochs) : []
  const data: XY[] = []
  points.forEach((point, i) => {
    const x = axis === 'epoch' ? point.epoch : axis === 'samples' ? point.samples : times[i]!
    const y = point[metric]
    if (Number.isFinite(x) && Number.isFinite(y)) data.push({ x, y })
  })
  // Each bucket keeps two points, plus the first and last: at most `maxPoints` in all.
  return downsampleMinMax(data, Math.max(1, Math.floor((maxPoints - 2) / 2)))
}

/** Each epoch's test (or validation) metric against the chosen axis. */
export function epochCurve(
  epochs: readonly EpochMetrics[],
  samplesPerEpoch: number | undefined,
  metric: 'testLoss' | 'testAccuracy' | 'validationLoss' | 'validationAccuracy',
  axis: CompareAxis,
): XY[] {
  let elapsed = 0
  const out: XY[] = []
  for (const record of [...epochs].sort((a, b) => a.epoch - b.epoch)) {
    elapsed += record.seconds
    const y = record[metric]
    const x = axis === 'epoch' ? record.epoch : axis === 'time' ? elapsed : samplesPerEpoch ? record.epoch * samplesPerEpoch : NaN
    if (y !== undefined && Number.isFinite(x)) out.push({ x, y })
  }
  return out
}

/** The name to show for a run: the user's name, or its readable default (shared runDisplayName); never its id. */
export function runLabel(run: Pick<RunSummary, 'runId' | 'name' | 'config'>): string {
  return runDisplayName(run)
}

/**
 * A trained run in a model picker: its name (the default one starts with the architecture), its data set, its
 * test accuracy (marked when it did not learn), and when it was trained, which tells apart runs of the same settings (the id goes in the title).
 */
export function modelChoiceLabel(run: Pick<RunSummary, 'runId' | 'name' | 'config' | 'result' | 'createdAt' | 'status' | 'classNames'>): string {
  const parts: string[] = [runDisplayName(run)]
  // A default name holds the data set already; a user's name may not.
  if (run.name?.trim()) parts.push(datasetShortName(run.config.dataset))
  if (run.result) parts.push(formatPercent(run.result.testAccuracy))
  if (displayStatus(run) === 'did-not-learn') parts.push(`⚠ ${DISPLAY_STATUS_INFO['did-not-learn'].word}`)
  if (!run.name?.trim()) parts.push(formatShortTimestamp(run.createdAt))
  return parts.join(' · ')
}

/** Tags typed as `a, b, c`: trimmed, empty ones dropped, duplicates removed. */
export function parseTags(text: string): string[] {
  return [...new Set(text.split(',').map((tag) => tag.trim()).filter(Boolean))]
}
