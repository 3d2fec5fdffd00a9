import { computed, ref } from 'vue'
import type { EventOf } from '../../../shared/api/contract'
import { RUN_STATUS_INFO, type EpochMetrics, type MetricPoint, type RunDetail, type RunSummary } from '../../../shared/api/schemas'
import { pinRunColor } from '../logic/palette'
import { appendNewPoints, mergeEpochs, type RunProgress } from '../logic/metrics'

/** A run's metric history: per-batch points (x = samples seen) and per-epoch evaluations. */
export interface RunSeries {
  points: MetricPoint[]
  epochs: EpochMetrics[]
}

const EMPTY_SERIES: RunSeries = Object.freeze({ points: [], epochs: [] }) as unknown as RunSeries

function newestFirst(a: RunSummary, b: RunSummary): number {
  return b.createdAt.localeCompare(a.createdAt) || b.runId.localeCompare(a.runId)
}

/**
 * A reply read before the run ended (it says queued or running) arriving after the event that ended it:
 * the ended status is newer. A run that fails at once (a bad folder, a diverging first batch) would
 * otherwise stay "queued" on screen.
 */
export function isStaleActive(known: RunSummary, reply: RunSummary): boolean {
  return !RUN_STATUS_INFO[known.status].active && RUN_STATUS_INFO[reply.status].active
}

/**
 * The runs store's state and how what arrives is merged into it: live events as they come (progress
 * carries only new points, which are appended) and a run's stored history, merged with what came live.
 */
export function useRunRecords() {
  /** Every known run by id. */
  const runs = ref<Record<string, RunSummary>>({})
  /** Metric series by run id; created on the first point or on `runs.get`. */
  const series = ref<Record<string, RunSeries>>({})
  /** Latest progress snapshot by run id (only for runs seen training in this session). */
  const progress = ref<Record<string, RunProgress>>({})
  /** The run the Train view shows and the header describes. */
  const currentRunId = ref<string | null>(null)

  const runList = computed(() => Object.values(runs.value).sort(newestFirst))
  /** Runs with a trained model: completed ones, and ones stopped early (evaluated and saved too). */
  const completedRuns = computed(() => runList.value.filter((run) => RUN_STATUS_INFO[run.status].hasModel))
  const currentRun = computed(() => (currentRunId.value ? runs.value[currentRunId.value] : undefined))
  const currentSeries = computed(() => (currentRunId.value ? series.value[currentRunId.value] : undefined) ?? EMPTY_SERIES)
  const currentProgress = computed(() => (currentRunId.value ? progress.value[currentRunId.value] : undefined))

  function ensureSeries(runId: string): RunSeries {
    let entry = series.value[runId]
    if (!entry) {
      series.value[runId] = { points: [], epochs: [] }
      entry = series.value[runId]!
    }
    return entry
  }

  function upsertRun(run: RunSummary): void {
    pinRunColor(run.runId, run.colorIndex)
    runs.value[run.runId] = run
  }

  function applyStatus(event: EventOf<'run.status'>): void {
    upsertRun({ ...event.run, status: event.status })
  }

  function applyProgress(event: EventOf<'run.progress'>): void {
    const { runId, points, ...snapshot } = event
    progress.value[runId] = snapshot
    appendNewPoints(ensureSeries(runId).points, points)
  }

  function applyEpoch(event: EventOf<'run.epoch'>): void {
    const { runId, ...record } = event
    const entry = ensureSeries(runId)
    entry.epochs = mergeEpochs(entry.epochs, [record])
  }

  /** Takes a run's stored history, keeping live points that are newer than it. */
  function applyDetail(detail: RunDetail): void {
    const { points, epochs, ...summary } = detail
    // A live status event may be newer than this reply: keep a finished status over an active one.
    const known = runs.value[summary.runId]
    const keepKnown = known && isStaleActive(known, summary)
    upsertRun(keepKnown ? known : summary)
    const entry = ensureSeries(summary.runId)
    const merged = points.slice()
    appendNewPoints(merged, entry.points)
    entry.points = merged
    entry.epochs = mergeEpochs(epochs, entry.epochs)
  }

  function seriesOf(runId: string): RunSeries {
    return series.value[runId] ?? EMPTY_SERIES
  }

  return {
    state: { runs, series, progress, currentRunId },
    derived: { runList, completedRuns, currentRun, currentSeries, currentProgress },
    events: { applyStatus, applyProgress, applyEpoch, applyDetail },
    ensureSeries,
    upsertRun,
    seriesOf,
  }
}

export type RunRecords = ReturnType<typeof useRunRecords>
