import type { RequestOf, WorkbenchApi } from '../../../shared/api/contract'
import type { BackendChoice, RunPlace, TrainConfigInput } from '../../../shared/api/schemas'
import { isStaleActive, type RunRecords } from './runRecords'

/** The runs store's requests to the API (`null`: none provided, each request rejects), each reply merged into `records`. */
export function useRunRequests(api: WorkbenchApi | null, records: RunRecords) {
  const { runs, series, progress, currentRunId } = records.state
  const { applyStatus, applyDetail } = records.events
  const { ensureSeries, upsertRun } = records

  function requireApi() {
    if (!api) throw new Error('WorkbenchApi was not provided')
    return api
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

  return { refreshRuns, loadRun, selectRun, startTraining, startSweep, queueRun, stopTraining, pauseTraining, resumeTraining, cancelTraining, updateRun, deleteRun }
}
