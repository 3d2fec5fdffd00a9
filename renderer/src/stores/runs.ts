import { defineStore } from 'pinia'
import { computed, inject, ref } from 'vue'
import type { EventOf, RequestOf } from '../../../shared/api/contract'
import { RUN_STATUS_INFO, type BackendChoice, type EpochMetrics, type MetricPoint, type RunDetail, type RunPlace, type RunSummary, type TrainConfigInput } from '../../../shared/api/schemas'
import { pinRunColor } from '../logic/palette'
import { workbenchApiKey } from '../api/workbenchApi'
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
 * Runs and their metric series. Live events are applied as they come (`applyStatus`,
 * `applyProgress`, `applyEpoch`: progress carries only new points, which are appended); a run's
 * full history is loaded with `runs.get` when it is selected and merged with whatever arrived live.
 */
/**
 * A reply read before the run ended (it says queued or running) arriving after the event that ended it:
 * the ended status is newer. A run that fails at once (a bad folder, a diverging first batch) would
 * otherwise stay "queued" on screen.
 */
function isStaleActive(known: RunSummary, reply: RunSummary): boolean {
  return !RUN_STATUS_INFO[known.status].active && RUN_STATUS_INFO[reply.status].active
}

export const useRunsStore = defineStore('runs', () => {
  const api = inject(workbenchApiKey, null)

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

  function requireApi() {
    if (!api) throw new Error('WorkbenchApi was not provided')
    return api
  }

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

  /** Refreshes the run list from `runs.list`. */
  async function refreshRuns(): Promise<void> {
    const list = await requireApi().call('runs.list', {})
    for (const run of list) {
      const known = runs.value[run.runId]
      // Events may have moved a run on since the list was read; never step back to queued/running.
      if (known && isStaleActive(known, run)) continue
      upsertRun(run)
    }
  }

  /** Loads a run's full history with `runs.get`. */
  async function loadRun(runId: string): Promise<void> {
    applyDetail(await requireApi().call('runs.get', { runId }))
  }

  /** Makes a run the current one and loads its history. */
  async function selectRun(runId: string): Promise<void> {
    currentRunId.value = runId
    await loadRun(runId)
  }

  /** Starts training; the new run becomes current. Rejects with a `WorkbenchError`. */
  async function startTraining(config: TrainConfigInput, place: RunPlace = 'local'): Promise<string> {
    const { runId } = await requireApi().call('training.start', { ...config, place })
    currentRunId.value = runId
    ensureSeries(runId)
    // Events carry the rest; this only fills in what was pushed before we knew the id.
    await loadRun(runId).catch(() => undefined)
    return runId
  }

  /** Queues one run per combination of learning rates and batch sizes; the first becomes current. */
  async function startSweep(request: RequestOf<'training.sweep'>): Promise<string[]> {
    const { runIds } = await requireApi().call('training.sweep', request)
    await refreshRuns()
    if (runIds[0]) await selectRun(runIds[0]).catch(() => undefined)
    return runIds
  }

  /** Queues a run under a name and tags without making it current (an experiment's runs, started from Compare). */
  async function queueRun(config: TrainConfigInput, label: { name: string; tags: string[] }): Promise<string> {
    const api = requireApi()
    const { runId } = await api.call('training.start', config)
    const run = await api.call('runs.update', { runId, ...label })
    applyDetail({ ...run, points: [], epochs: [] })
    return runId
  }

  async function stopTraining(runId: string): Promise<boolean> {
    const { stopped } = await requireApi().call('training.stop', { runId })
    return stopped
  }

  async function pauseTraining(runId: string): Promise<void> {
    await requireApi().call('training.pause', { runId })
  }

  /**
   * Wakes a paused run, or continues an ended one from its checkpoint (on `backend` if given); its history
   * is reloaded, cut back.
   */
  async function resumeTraining(runId: string, backend?: BackendChoice): Promise<void> {
    const run = await requireApi().call('training.resume', backend ? { runId, backend } : { runId })
    applyStatus({ runId, status: run.status, run })
    // The stored history was cut back to the checkpoint: drop what this window still shows beyond it.
    delete series.value[runId]
    delete progress.value[runId]
    await loadRun(runId)
  }

  async function cancelTraining(runId: string): Promise<void> {
    await requireApi().call('training.cancel', { runId })
  }

  /** Renames and/or retags a run; the reply (and the `run.status` event) carry the stored summary. */
  async function updateRun(runId: string, changes: { name?: string; tags?: string[] }): Promise<void> {
    upsertRun(await requireApi().call('runs.update', { runId, ...changes }))
  }

  /** Deletes a run on disk and forgets it here. Rejects (`conflict`) while the run is active. */
  async function deleteRun(runId: string): Promise<void> {
    await requireApi().call('runs.delete', { runId })
    delete runs.value[runId]
    delete series.value[runId]
    delete progress.value[runId]
    if (currentRunId.value === runId) currentRunId.value = null
  }

  function seriesOf(runId: string): RunSeries {
    return series.value[runId] ?? EMPTY_SERIES
  }

  return {
    runs,
    series,
    progress,
    currentRunId,
    runList,
    completedRuns,
    currentRun,
    currentSeries,
    currentProgress,
    applyStatus,
    applyProgress,
    applyEpoch,
    applyDetail,
    refreshRuns,
    loadRun,
    selectRun,
    startTraining,
    startSweep,
    queueRun,
    stopTraining,
    pauseTraining,
    resumeTraining,
    cancelTraining,
    updateRun,
    deleteRun,
    seriesOf,
  }
})
