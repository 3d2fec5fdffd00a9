import type { RunSummary } from '../../../shared/api/schemas'
import { DISPLAY_STATUS_INFO, displayStatus, type DisplayStatus } from '../../../shared/runOutcome'
import { runLabel } from './compare'
import { isActive } from './metrics'

/** The Runs table's sortable columns. */
export type RunsColumn = 'name' | 'arch' | 'dataset' | 'learningRate' | 'batchSize' | 'epochs' | 'bestValidation' | 'testAccuracy' | 'duration' | 'status' | 'createdAt'

export interface RunsQuery {
  search: string
  /** A display status: `did-not-learn` picks the completed runs that stayed at chance level. */
  status: DisplayStatus | ''
  arch: string
  dataset: string
  sort: RunsColumn
  descending: boolean
}

export const DEFAULT_RUNS_QUERY: RunsQuery = { search: '', status: '', arch: '', dataset: '', sort: 'createdAt', descending: true }

/** `folder:/home/me/cats` → `cats (folder)`; built-in ids as they are. */
export function datasetLabel(dataset: string): string {
  if (!dataset.startsWith('folder:')) return dataset
  const parts = dataset.slice('folder:'.length).split(/[\\/]/).filter(Boolean)
  return `${parts.at(-1) ?? dataset} (folder)`
}

function sortValue(run: RunSummary, column: RunsColumn): string | number | undefined {
  switch (column) {
    case 'name':
      return runLabel(run).toLowerCase()
    case 'arch':
      return run.config.arch
    case 'dataset':
      return datasetLabel(run.config.dataset).toLowerCase()
    case 'learningRate':
      return run.config.learningRate
    case 'batchSize':
      return run.config.batchSize
    case 'epochs':
      return run.config.epochs
    case 'bestValidation':
      return run.bestValidationAccuracy
    case 'testAccuracy':
      return run.result?.testAccuracy
    case 'duration':
      return run.result?.trainSeconds
    case 'status':
      return displayStatus(run)
    case 'createdAt':
      return run.createdAt
  }
}

/** Whether a run matches the search words: each word must appear in its name, id, model, data or tags. */
export function matchesSearch(run: RunSummary, search: string): boolean {
  const words = search.toLowerCase().split(/\s+/).filter(Boolean)
  if (!words.length) return true
  const haystack = [runLabel(run), run.runId, run.config.arch, run.config.dataset, DISPLAY_STATUS_INFO[displayStatus(run)].word, ...(run.tags ?? [])].join(' ').toLowerCase()
  return words.every((word) => haystack.includes(word))
}

/** The runs the table shows, filtered and sorted; runs without a value for the sort column go last. */
export function queryRuns(runs: readonly RunSummary[], query: RunsQuery): RunSummary[] {
  const kept = runs.filter(
    (run) =>
      (!query.status || displayStatus(run) === query.status) &&
      (!query.arch || run.config.arch === query.arch) &&
      (!query.dataset || run.config.dataset === query.dataset) &&
      matchesSearch(run, query.search),
  )
  const direction = query.descending ? -1 : 1
  return kept.sort((a, b) => {
    const va = sortValue(a, query.sort)
    const vb = sortValue(b, query.sort)
    if (va === undefined || vb === undefined) return va === vb ? 0 : va === undefined ? 1 : -1
    const order = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb))
    return order * direction || b.runId.localeCompare(a.runId)
  })
}

/** The settings a run's hyperparameter cells do not show, for their tooltip. */
export function hyperTitle(run: Pick<RunSummary, 'config'>): string {
  const c = run.config
  const parts = [`optimizer ${c.optimizer ?? 'default'}`, `seed ${c.seed}`]
  if (c.limit) parts.push(`${c.limit} images`)
  if (c.inputSize) parts.push(`${c.inputSize} px`)
  if (c.knobs && Object.keys(c.knobs).length) parts.push(`knobs ${JSON.stringify(c.knobs)}`)
  return parts.join(' · ')
}

/** A run that is training or paused keeps its files: it must be stopped before it can be deleted. */
export function canDelete(run: Pick<RunSummary, 'status'>): boolean {
  return !isActive(run.status) && run.status !== 'paused'
}
